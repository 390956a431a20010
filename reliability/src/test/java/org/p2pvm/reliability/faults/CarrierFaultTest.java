package org.p2pvm.reliability.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
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
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmServer;
import org.p2pvm.reliability.support.LogCapture;
import org.p2pvm.reliability.support.Meter;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * Issue 8 §3: the carrier dies mid-transfer (orderly close, RST, the peer process SIGKILLed) or
 * goes silent (half-open): every stream on both ends fails with a {@link TunnelClosedException}
 * naming the carrier failure (or the keepalive TIMEOUT) within the keepalive timeout at worst, no
 * thread stays blocked in a blocking read, threads and heap return to their baseline, and Netty's
 * leak detector (PARANOID in this module) logs no {@code LEAK:} line. Once per TCP transport (nio,
 * netty, grizzly), through {@link FaultProxy}. Keepalive: 500 ms interval, 2 s timeout.
 */
@ParameterizedClass(name = "over {0}")
@ValueSource(strings = {"nio", "netty", "grizzly"})
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CarrierFaultTest {
    static final String TOKEN = "fault-suite-token";
    static final VmAddress FLEET = VmAddress.parse("[fd00::f]:1");
    static final int STREAMS = 10;
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(2);
    /**
     * What a stream's failure may take beyond {@link #KEEPALIVE_TIMEOUT} after the fault. The bound
     * is the protocol's (PROTOCOL.md §8: a carrier that delivers nothing for the keepalive timeout is
     * closed), not a performance figure; the slack covers what lies between the bound and a thread
     * seeing the exception: the engine's timer tick (keepalive interval / 4 = 125 ms here), bytes
     * still in loopback socket buffers when the proxy goes silent, and thread scheduling and GC on a
     * loaded, shared 2-core machine (pauses of a second have been seen there). It stays well below
     * anything else that could end a stream (TCP retransmission timeouts, minutes), so a failure that
     * did not come from the fault or the keepalive still fails the test.
     */
    static final Duration SLACK = Duration.ofSeconds(2);
    /** How long to wait for an event before calling it missing (not a bound that is asserted). */
    static final long WAIT_SECONDS = KEEPALIVE_TIMEOUT.toSeconds() + 10;

    @Parameter
    String transportName;

    private Transport serverTransport;
    private Transport clientTransport;
    private TransportServer server;
    private FaultProxy proxy;
    private StreamFleet serverFleet;
    private final List<CompletableFuture<CloseReason>> serverTunnels = new java.util.concurrent.CopyOnWriteArrayList<>();
    private int threadBaseline;
    private long heapBaseline;
    private int logStart;

    Transport transport() {
        return Transports.get(transportName);
    }

    TunnelOptions options() {
        return TunnelOptions.builder().authToken(TOKEN).keepaliveInterval(Duration.ofMillis(500))
                .keepaliveTimeout(KEEPALIVE_TIMEOUT).handshakeTimeout(Duration.ofSeconds(5)).build();
    }

    @BeforeEach
    void start() throws Exception {
        if (!Transports.names().contains(transportName)) {
            Assumptions.abort("transport " + transportName + " is not in the reactor: fault cases skipped");
        }
        logStart = LogCapture.mark();
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
        if (server == null) {
            return; // aborted before starting
        }
        proxy.close();
        server.closeAsync().get(10, TimeUnit.SECONDS);
        clientTransport.close();
        serverTransport.close();
        assertNoNettyLeak();
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

    /** A tunnel closed because its carrier failed or ended: origin CARRIER, the detail says which. */
    private static final Predicate<CloseReason> CARRIER_FAILURE = r -> r.origin() == CloseReason.Origin.CARRIER
            && r.detail().startsWith("carrier ");
    /** A tunnel closed by this end's keepalive: nothing received for the keepalive timeout. */
    private static final Predicate<CloseReason> KEEPALIVE_TIMEOUT_CLOSE = r -> r.code() == ErrorCode.TIMEOUT
            && r.origin() == CloseReason.Origin.LOCAL && r.detail().startsWith("nothing received");

    @Test
    void rst_everyStreamFailsOnBothEnds_nothingLeaks() throws Exception {
        Tunnel t = dial();
        StreamFleet client = clientFleet(t);
        long fault = System.nanoTime();
        proxy.killRst();
        assertEveryStreamFailed(client, "client", t.closeFuture(), CARRIER_FAILURE, fault);
        assertEveryStreamFailed(serverFleet, "server", serverTunnels.get(0), CARRIER_FAILURE, fault);
        assertBackToBaseline(client);
    }

    @Test
    void orderlyClose_everyStreamFailsOnBothEnds_noCleanEof() throws Exception {
        Tunnel t = dial();
        StreamFleet client = clientFleet(t);
        long fault = System.nanoTime();
        proxy.closeFin();
        assertEveryStreamFailed(client, "client", t.closeFuture(), CARRIER_FAILURE, fault);
        assertEveryStreamFailed(serverFleet, "server", serverTunnels.get(0), CARRIER_FAILURE, fault);
        assertBackToBaseline(client);
    }

    @Test
    void halfOpen_detectedByKeepalive_closedWithTimeout() throws Exception {
        Tunnel t = dial();
        StreamFleet client = clientFleet(t);
        long fault = System.nanoTime();
        proxy.blackhole();
        assertEveryStreamFailed(client, "client", t.closeFuture(), KEEPALIVE_TIMEOUT_CLOSE, fault);
        assertEveryStreamFailed(serverFleet, "server", serverTunnels.get(0), KEEPALIVE_TIMEOUT_CLOSE, fault);
        assertBackToBaseline(client);
    }

    /** A second JVM dials (straight to the server), streams, and is killed with SIGKILL. */
    @Test
    void peerProcessKilled_everyServerStreamFails() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", cp, StreamingPeerMain.class.getName(),
                transportName, server.uri().toString(), TOKEN, FLEET.toString(), String.valueOf(STREAMS));
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
            long fault = System.nanoTime();
            child.destroyForcibly(); // SIGKILL on Unix
            assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the child died");
            assertEveryStreamFailed(serverFleet, "server", serverTunnels.get(0), CARRIER_FAILURE, fault);
            assertBackToBaseline(null);
        } finally {
            child.destroyForcibly();
        }
    }

    /**
     * Every thread of the fleet ended, never with a clean EOF, within {@link #KEEPALIVE_TIMEOUT} +
     * {@link #SLACK} of the fault, with a {@link TunnelClosedException} in its cause chain whose
     * reason is the reason the tunnel closed with; that reason must be {@code expected} (for a
     * carrier fault: origin CARRIER and a detail naming the carrier's failure, e.g. "carrier failed:
     * java.net.SocketException: Connection reset").
     */
    private void assertEveryStreamFailed(StreamFleet fleet, String side, CompletableFuture<CloseReason> tunnelClosed,
            Predicate<CloseReason> expected, long faultNanos) throws Exception {
        CloseReason reason = tunnelClosed.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(expected.test(reason), side + " tunnel closed with an unexpected reason: " + reason);
        assertEquals(STREAMS * 2, fleet.ends.size(), side + " threads");
        long bound = KEEPALIVE_TIMEOUT.plus(SLACK).toNanos();
        List<String> bad = new ArrayList<>();
        long slowest = 0;
        for (CompletableFuture<StreamFleet.End> f : fleet.ends) {
            StreamFleet.End end = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotSame(StreamFleet.CLEAN_EOF, end.error(), side + ": a stream saw a clean end of stream after a fault");
            long after = end.nanos() - faultNanos;
            slowest = Math.max(slowest, after);
            TunnelClosedException closed = tunnelClosedIn(end.error());
            if (closed == null) {
                bad.add("no TunnelClosedException (the VmException every stream of a closed tunnel fails with): "
                        + chain(end.error()));
            } else if (!reason.equals(closed.reason()) || !closed.getMessage().contains(reason.toString())) {
                bad.add("does not name the tunnel's close reason (" + reason + "): " + chain(end.error()));
            } else if (after > bound) {
                bad.add("failed " + TimeUnit.NANOSECONDS.toMillis(after) + " ms after the fault, beyond the keepalive "
                        + "timeout + slack (" + TimeUnit.NANOSECONDS.toMillis(bound) + " ms): " + chain(end.error()));
            }
        }
        assertTrue(bad.isEmpty(), side + " over " + transportName + ": " + bad);
        slowestMillis = Math.max(slowestMillis, TimeUnit.NANOSECONDS.toMillis(slowest));
        reasons.add(side + ": " + reason);
    }

    private long slowestMillis;
    private final List<String> reasons = new ArrayList<>();

    private static TunnelClosedException tunnelClosedIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TunnelClosedException c) {
                return c;
            }
        }
        return null;
    }

    private static String chain(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t).append(" <- ");
        }
        return b.toString();
    }

    /**
     * Netty's leak detector (PARANOID here: every buffer tracked) logs "LEAK:" for a buffer that was
     * garbage collected unreleased, but only when it next tracks a buffer: collect, then allocate
     * and release one pooled buffer, then read the log. The level is asserted so the check cannot be
     * silently off.
     */
    private void assertNoNettyLeak() {
        if (!transportName.equals("netty")) {
            return;
        }
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel(),
                "Netty's leak detector level (the module's surefire configuration sets paranoid)");
        for (int i = 0; i < 2; i++) { // the second round reports what reference processing queued late
            Meter.heapAfterGc();
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            probe.release();
        }
        List<String> leaks = LogCapture.since(logStart).stream().filter(l -> l.contains("LEAK:")).toList();
        assertTrue(leaks.isEmpty(), "Netty reported leaked buffers: " + leaks);
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
        FaultReport.add(getClass().getSimpleName() + " over " + transportName, caller, "every stream failed ≤ "
                + slowestMillis + " ms after the fault (bound " + KEEPALIVE_TIMEOUT.plus(SLACK).toMillis() + " ms) with "
                + "the tunnel's reason (" + String.join("; ", reasons) + "); threads " + threads + " (baseline "
                + threadBaseline + "), heap " + Meter.mib(heap - heapBaseline) + " over baseline");
    }
}
