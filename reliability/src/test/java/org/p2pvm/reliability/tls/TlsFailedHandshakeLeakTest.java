package org.p2pvm.reliability.tls;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.net.URI;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;

/**
 * 1,000 failed TLS handshakes per transport (half against an untrusted certificate, half a plaintext
 * dialer against the TLS acceptor; 16 in flight) leak nothing — for websocket the acceptor is
 * {@code wss://} and the plaintext half dials {@code ws://} on its port: afterwards the threads are those of
 * the baseline by name, the heap and the direct buffers are back near the baseline after GC, the
 * acceptor holds no tunnel, a good dialer still gets through, and for netty the ResourceLeakDetector
 * (PARANOID) reported nothing.
 */
@Timeout(300)
class TlsFailedHandshakeLeakTest {
    static {
        NettyLeakRecorder.install();
    }

    private static final int FAILURES = 1000;
    private static final int IN_FLIGHT = 16;
    private static final long HEAP_SLACK = 48L << 20;
    private static final long DIRECT_SLACK = 16L << 20;
    private static final TestPki PKI = TlsTestSupport.pki("p2pvm-tls-leak");
    private static final TestPki ROGUE = TlsTestSupport.pki("p2pvm-tls-leak-rogue");
    /**
     * One options object for every good dial: the websocket transport keeps one JDK HTTP client (with
     * its selector thread) per TlsOptions object, a few at most, so a fresh object per dial would count
     * as a new thread here although it is bounded.
     */
    private static final TunnelOptions GOOD = TlsTestSupport.options(PKI.clientTlsWithoutCertificate());

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nio", "netty", "grizzly", "websocket"})
    void thousandFailedHandshakes_leaveNoThreadsBuffersOrTunnels(String name) throws Exception {
        run(name);
    }

    private void run(String name) throws Exception {
        Transport acceptor = TlsTestSupport.transport(name, "tls-leak-a-" + name);
        Transport dialer = TlsTestSupport.transport(name, "tls-leak-d-" + name);
        try {
            AtomicInteger delivered = new AtomicInteger();
            TransportServer server = acceptor.bind(TlsTestSupport.BIND, TlsTestSupport.options(PKI.serverTls()), t -> {
                delivered.incrementAndGet();
                t.install(TlsTestSupport.echoServer());
            }).get(30, SECONDS);
            TunnelOptions untrusting = TlsTestSupport.options(ROGUE.clientTlsWithoutCertificate());
            TunnelOptions plaintext = TlsTestSupport.options(null);
            // the TCP transports dial the same tcp:// URI either way; a plaintext websocket dialer says ws://
            URI plainUri = name.equals("websocket")
                    ? URI.create("ws" + server.uri().toString().substring("wss".length())) : server.uri();
            // warm-up: lazily made threads, pools and classes belong to the baseline
            failMany(dialer, server.uri(), plainUri, untrusting, plaintext, 40);
            goodDial(dialer, server);
            awaitAcceptorEmpty(server);
            Map<String, Integer> threadsBefore = threadsByName();
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            long heapBefore = heapAfterGc();
            long directBefore = directMemory();
            int leaksBefore = NettyLeakRecorder.LEAKS.size();

            failMany(dialer, server.uri(), plainUri, untrusting, plaintext, FAILURES);

            awaitAcceptorEmpty(server);
            goodDial(dialer, server); // still serving; with PARANOID also gives Netty's detector a turn
            awaitAcceptorEmpty(server);
            joinNewThreads(before);
            Map<String, Integer> threadsAfter = threadsByName();
            List<String> grown = new ArrayList<>();
            threadsAfter.forEach((n, c) -> {
                if (c > threadsBefore.getOrDefault(n, 0)) {
                    grown.add(n + ": " + threadsBefore.getOrDefault(n, 0) + " -> " + c);
                }
            });
            assertTrue(grown.isEmpty(), "threads grew after " + FAILURES + " failed handshakes: " + grown);
            long heapAfter = heapAfterGc();
            assertTrue(heapAfter - heapBefore < HEAP_SLACK, "heap grew by " + ((heapAfter - heapBefore) >> 10)
                    + " KiB after " + FAILURES + " failed handshakes");
            long directAfter = directMemory();
            assertTrue(directAfter - directBefore < DIRECT_SLACK, "direct buffers grew by "
                    + ((directAfter - directBefore) >> 10) + " KiB");
            assertEquals(2, delivered.get(), "only the two good dialers reached the application");
            if (name.equals("netty")) {
                List<String> leaks = NettyLeakRecorder.LEAKS.subList(leaksBefore, NettyLeakRecorder.LEAKS.size());
                assertTrue(leaks.isEmpty(), "Netty reported leaks: " + leaks);
            }
            server.closeAsync().get(30, SECONDS);
        } finally {
            dialer.close();
            acceptor.close();
        }
    }

    private static void failMany(Transport dialer, URI tlsUri, URI plainUri, TunnelOptions untrusting,
            TunnelOptions plaintext, int n) throws Exception {
        Semaphore window = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<Tunnel>> all = new ArrayList<>(n);
        AtomicInteger succeeded = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            window.acquire();
            CompletableFuture<Tunnel> f = i % 2 == 0 ? dialer.connect(tlsUri, untrusting)
                    : dialer.connect(plainUri, plaintext);
            f.whenComplete((t, e) -> {
                window.release();
                if (e == null) {
                    succeeded.incrementAndGet();
                    t.close();
                }
            });
            all.add(f);
        }
        for (CompletableFuture<Tunnel> f : all) {
            try {
                f.get(30, SECONDS);
            } catch (java.util.concurrent.ExecutionException expected) {
                // every one of them must fail
            }
        }
        assertEquals(0, succeeded.get(), "a dial that should fail succeeded");
    }

    private static void goodDial(Transport dialer, TransportServer server) throws Exception {
        Tunnel t = dialer.connect(server.uri(), GOOD).get(30, SECONDS);
        TlsTestSupport.roundTrip(t, 4096, 9);
        t.close();
        t.closeFuture().get(30, SECONDS);
    }

    private static void awaitAcceptorEmpty(TransportServer server) throws Exception {
        for (Tunnel t : server.tunnels()) {
            t.closeFuture().get(30, SECONDS);
        }
    }

    /** Threads started since {@code before} end by themselves (idle pool threads time out). */
    private static void joinNewThreads(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + SECONDS.toNanos(20);
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!before.contains(t) && !t.getName().startsWith("ForkJoinPool.commonPool")) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    t.join(Math.max(1, left / 1_000_000));
                }
            }
        }
    }

    /** Live threads counted by name with digits folded (pool-3-thread-7 and pool-3-thread-8 are one name). */
    private static Map<String, Integer> threadsByName() {
        Map<String, Integer> out = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !t.getName().startsWith("ForkJoinPool.commonPool")) {
                out.merge(t.getName().replaceAll("[0-9]+", "#"), 1, Integer::sum);
            }
        }
        return new HashMap<>(out);
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long directMemory() {
        long sum = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                sum += b.getMemoryUsed();
            }
        }
        return sum;
    }
}
