package org.p2pvm.reliability.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmException;
import org.p2pvm.VmServer;
import org.p2pvm.engine.contract.ContractScenarios;
import org.p2pvm.reliability.support.Meter;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * Issue 8 §3: the carrier dies mid-transfer (orderly close, RST, the peer process SIGKILLed) or
 * goes silent (half-open): every stream on both ends fails with an exception naming the cause
 * within the keepalive timeout at worst, no thread stays blocked in a blocking read, threads and heap
 * return to their baseline. Over the nio transport (the kit's reference TCP transport if nio is
 * absent), through {@link FaultProxy}. Keepalive: 500 ms interval, 2 s timeout.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CarrierFaultTest {
    static final String TOKEN = "fault-suite-token";
    static final VmAddress FLEET = VmAddress.parse("[fd00::f]:1");
    static final int STREAMS = 10;
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(2);
    static final long WAIT_SECONDS = KEEPALIVE_TIMEOUT.toSeconds() + 10;

    static final java.util.concurrent.atomic.AtomicInteger RAW_CARRIER_FAILURES = new java.util.concurrent.atomic.AtomicInteger();

    private Transport serverTransport;
    private Transport clientTransport;
    private TransportServer server;
    private FaultProxy proxy;
    private StreamFleet serverFleet;
    private final List<CompletableFuture<CloseReason>> serverTunnels = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int threadBaseline;
    private long heapBaseline;

    static String transportName() {
        return Transports.names().contains("nio") ? "nio" : "kit-socket";
    }

    static Transport transport() {
        return Transports.names().contains("nio") ? Transports.get("nio") : ContractScenarios.referenceTcpTransport();
    }

    static TunnelOptions options() {
        return TunnelOptions.builder().authToken(TOKEN).keepaliveInterval(Duration.ofMillis(500))
                .keepaliveTimeout(KEEPALIVE_TIMEOUT).handshakeTimeout(Duration.ofSeconds(5)).build();
    }

    @BeforeEach
    void start() throws Exception {
        serverTransport = transport();
        clientTransport = transport();
        serverFleet = new StreamFleet("server", STREAMS);
        VmServer app = VmServer.listen(FLEET, serverFleet::attach);
        server = serverTransport.bind(URI.create("tcp://127.0.0.1:0"), options(), t -> {
            serverTunnels.add(t.closeFuture());
            t.install(app);
        }).get(10, TimeUnit.SECONDS);
        proxy = new FaultProxy(server.localAddress());
        threadBaseline = Meter.liveThreads();
        heapBaseline = Meter.heapAfterGc();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        server.closeAsync().get(10, TimeUnit.SECONDS);
        clientTransport.close();
        serverTransport.close();
    }

    private Tunnel dial() throws Exception {
        Tunnel t = clientTransport.connect(Transports.tcpUri(proxy.address()), options()).get(10, TimeUnit.SECONDS);
        t.awaitRemoteListen(FLEET).get(10, TimeUnit.SECONDS);
        return t;
    }

    private StreamFleet clientFleet(Tunnel t) throws Exception {
        StreamFleet fleet = new StreamFleet("client", STREAMS);
        for (int i = 0; i < STREAMS; i++) {
            fleet.attach(t.connect(FLEET).get(10, TimeUnit.SECONDS));
        }
        assertTrue(fleet.awaitFlowing(20), "client streams receiving");
        assertTrue(serverFleet.awaitFlowing(20), "server streams receiving");
        return fleet;
    }

    @Test
    void rst_everyStreamFailsOnBothEnds_nothingLeaks() throws Exception {
        Tunnel t = dial();
        StreamFleet client = clientFleet(t);
        proxy.killRst();
        assertEveryStreamFailed(client, "client", null);
        assertEveryStreamFailed(serverFleet, "server", null);
        assertEquals(CloseReason.Origin.CARRIER, t.closeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS).origin());
        assertBackToBaseline(client);
    }

    @Test
    void orderlyClose_everyStreamFailsOnBothEnds_noCleanEof() throws Exception {
        Tunnel t = dial();
        StreamFleet client = clientFleet(t);
        proxy.closeFin();
        assertEveryStreamFailed(client, "client", null);
        assertEveryStreamFailed(serverFleet, "server", null);
        assertEquals(CloseReason.Origin.CARRIER, t.closeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS).origin());
        assertBackToBaseline(client);
    }

    @Test
    void halfOpen_detectedByKeepalive_closedWithTimeout() throws Exception {
        Tunnel t = dial();
        StreamFleet client = clientFleet(t);
        proxy.blackhole();
        CloseReason c = t.closeFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(ErrorCode.TIMEOUT, c.code(), "client " + c);
        CloseReason s = serverTunnels.get(0).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(ErrorCode.TIMEOUT, s.code(), "server " + s);
        assertEveryStreamFailed(client, "client", "TIMEOUT");
        assertEveryStreamFailed(serverFleet, "server", "TIMEOUT");
        assertBackToBaseline(client);
    }

    /** A second JVM dials (straight to the server), streams, and is killed with SIGKILL. */
    @Test
    void peerProcessKilled_everyServerStreamFails() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", cp, StreamingPeerMain.class.getName(),
                transportName(), server.uri().toString(), TOKEN, FLEET.toString(), String.valueOf(STREAMS));
        pb.environment().putAll(Map.of());
        pb.redirectErrorStream(true);
        Process child = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<String> streaming = CompletableFuture.supplyAsync(() -> {
                try {
                    String line;
                    StringBuilder seen = new StringBuilder();
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("STREAMING")) {
                            return line;
                        }
                        seen.append(line).append('\n');
                    }
                    throw new IllegalStateException("the child ended before streaming:\n" + seen);
                } catch (java.io.IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            });
            assertNotNull(streaming.get(60, TimeUnit.SECONDS));
            assertTrue(serverFleet.awaitFlowing(20), "server streams receiving from the child");
            child.destroyForcibly(); // SIGKILL on Unix
            assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the child died");
            assertEveryStreamFailed(serverFleet, "server", null);
            CloseReason r = serverTunnels.get(0).get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertEquals(CloseReason.Origin.CARRIER, r.origin(), "server tunnel " + r);
            assertBackToBaseline(null);
        } finally {
            child.destroyForcibly();
        }
    }

    /** Every thread of the fleet ended with an exception that names the cause (never a clean EOF). */
    private static void assertEveryStreamFailed(StreamFleet fleet, String side, String mustMention) throws Exception {
        assertEquals(STREAMS * 2, fleet.ends.size(), side + " threads");
        List<String> bad = new ArrayList<>();
        for (CompletableFuture<Throwable> f : fleet.ends) {
            Throwable e = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotSame(StreamFleet.CLEAN_EOF, e, side + ": a stream saw a clean end of stream after a fault");
            String text = chain(e);
            // engine weakness (reported): a write whose batch was in flight when the carrier failed gets the
            // carrier's raw IOException (BatchWriter.onWritten), not the tunnel's TunnelClosedException; it
            // still names the cause, which is what is asserted here
            if (!hasVmException(e)) {
                RAW_CARRIER_FAILURES.incrementAndGet();
            }
            boolean named = text.contains("carrier") || text.contains("TIMEOUT") || text.contains("closed");
            if (!named || (mustMention != null && !text.contains(mustMention))) {
                bad.add(text);
            }
        }
        assertTrue(bad.isEmpty(), side + ": failures that do not name the cause: " + bad);
    }

    private static boolean hasVmException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof VmException) {
                return true;
            }
        }
        return false;
    }

    private static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t).append(" <- ");
        }
        return b.toString();
    }

    /** No thread left in a blocking read; thread count and heap back to the baseline taken before dialling. */
    private void assertBackToBaseline(StreamFleet client) throws Exception {
        String caller = StackWalker.getInstance().walk(f -> f.skip(1).findFirst().map(StackWalker.StackFrame::getMethodName)
                .orElse("?"));
        List<Thread> all = new ArrayList<>(serverFleet.threads);
        if (client != null) {
            all.addAll(client.threads);
        }
        for (Thread th : all) {
            th.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertTrue(!th.isAlive(), th.getName() + " still alive: " + List.of(th.getStackTrace()));
        }
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            boolean waiting = e.getKey().getState() == Thread.State.WAITING
                    || e.getKey().getState() == Thread.State.TIMED_WAITING;
            for (StackTraceElement f : e.getValue()) {
                assertTrue(!(waiting && f.getClassName().endsWith("VmInputStream") && f.getMethodName().equals("read")),
                        e.getKey().getName()
                        + " is blocked in VmInputStream: " + List.of(e.getValue()));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int threads = Meter.liveThreads();
        while (threads > threadBaseline + 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
            threads = Meter.liveThreads();
        }
        assertTrue(threads <= threadBaseline + 2, "threads " + threads + " vs baseline " + threadBaseline);
        long heap = Meter.heapAfterGc();
        assertTrue(heap - heapBaseline <= 16L << 20, "heap " + Meter.mib(heap) + " vs baseline " + Meter.mib(heapBaseline));
        FaultReport.add(getClass().getSimpleName() + " over " + transportName(), caller, "threads " + threads + " (baseline "
                + threadBaseline + "), heap " + Meter.mib(heap - heapBaseline) + " over baseline; stream failures that "
                + "were the carrier's raw IOException instead of a VmException so far: " + RAW_CARRIER_FAILURES.get());
    }
}
