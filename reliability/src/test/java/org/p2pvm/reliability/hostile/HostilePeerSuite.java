package org.p2pvm.reliability.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.CloseReason;
import org.p2pvm.spi.Transport;
import org.p2pvm.reliability.support.LogCapture;
import org.p2pvm.reliability.support.Meter;

/**
 * The plumbing of the hostile-peer suite (issue 8 §2): one {@link AttackedServer} per class, and
 * {@link #attack} which runs one case from a fresh {@link RawTcpPeer} and checks everything the
 * issue asks of it: the outcome (GOAWAY/RESET code or the documented non-fatal one), the server's
 * heap growth (after GC, measured while the attacker is still connected) and CPU time within the
 * case's bounds, a log line naming the peer and the cause for tunnel-level outcomes, and
 * SHA-256-verified transfers on the well-behaved tunnel while the attack runs (one alone before it
 * is the baseline; the during/before throughput ratio is recorded, not asserted). Rows are written to
 * {@code target/hostile-<transport>.md} for docs/RELIABILITY.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class HostilePeerSuite {
    static final int VERIFIED_BYTES = 256 * 1024;
    /** Transfers during one attack at most: enough to span the attack, few enough to cost little CPU. */
    static final int MAX_TRANSFERS_DURING = 16;

    AttackedServer server;
    private int logStart;
    private final List<Row> rows = new CopyOnWriteArrayList<>();

    /** Name in reports. */
    abstract String transportName();

    /** A fresh instance of the transport under attack (called twice: server and well-behaved client). */
    abstract Transport newTransport();

    /** Aborts (with a message naming the transport) when it is not in the reactor. */
    void assumePresent() {
    }

    @BeforeAll
    void startServer() throws Exception {
        assumePresent();
        logStart = LogCapture.mark();
        server = new AttackedServer(newTransport(), newTransport());
        server.verifiedTransfer(VERIFIED_BYTES);
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            server.close();
            Meter.heapAfterGc(); // lets Netty's leak detector (paranoid in this module) see dropped buffers
            List<String> leaks = LogCapture.since(logStart).stream().filter(l -> l.contains("LEAK:")).toList();
            assertTrue(leaks.isEmpty(), transportName() + ": Netty reported leaked buffers: " + leaks);
        }
        if (!rows.isEmpty()) {
            StringBuilder b = new StringBuilder("| case | expected | observed | log line | heap growth (bound) | "
                    + "server CPU (bound) | well-behaved tunnel during / before | result |\n|---|---|---|---|---|---|---|---|\n");
            for (Row r : rows) {
                b.append(r.markdown()).append('\n');
            }
            Path target = Path.of(System.getProperty("basedir", "."), "target");
            Files.createDirectories(target);
            Files.writeString(target.resolve("hostile-" + transportName() + ".md"), b.toString(), StandardCharsets.UTF_8);
            System.out.println("hostile peer suite over " + transportName() + ":\n" + b);
        }
    }

    /** One case's body: attacks through {@code p} and returns the observed outcome. */
    @FunctionalInterface
    interface Attack {
        String run(RawTcpPeer p) throws Exception;
    }

    record Row(String name, String expected, String observed, String log, long heapGrowth, long heapBound,
            long cpuMillis, long cpuBoundMillis, String goodTunnel, boolean pass) {
        String markdown() {
            boolean tunnelError = expected.startsWith("GOAWAY") || expected.startsWith("server closed:");
            return "| " + name + " | " + expected + " | " + observed.replace('|', '/') + " | "
                    + (log != null ? "yes" : tunnelError ? "**missing**" : "—") + " | " + Meter.mib(heapGrowth) + " (≤ "
                    + Meter.mib(heapBound) + ") | " + cpuMillis + " ms (≤ " + cpuBoundMillis + " ms) | " + goodTunnel + " | "
                    + (pass ? "pass" : "FAIL") + " |";
        }
    }

    /** "n × 256 KiB ok, ratio" for the report: the ratio is a record, never an assertion (no timing assertions). */
    private static String goodTunnel(AttackedServer.Transfers during, long baselineNanos, Throwable failed) {
        if (failed != null) {
            return "**failed**: " + failed;
        }
        double before = VERIFIED_BYTES * 1e9 / baselineNanos;
        return during.count + " ok, " + String.format(java.util.Locale.ROOT, "%.2f", during.throughput() / before);
    }

    /**
     * Runs one case.
     *
     * @param expected "GOAWAY CODE" or "server closed: CODE" (tunnel error: the server's tunnel must
     *     close with CODE and log a line naming the peer and CODE), "RESET CODE" or "open: ..."
     *     (non-fatal outcomes)
     * @param byteByByte whether the peer writes every byte in its own write
     */
    void attack(String name, String expected, boolean byteByByte, long heapBoundMiB, long cpuBoundMillis, Attack body)
            throws Exception {
        long baselineNanos = server.verifiedTransfer(VERIFIED_BYTES); // the well-behaved tunnel before
        int mark = LogCapture.mark();
        long self = Thread.currentThread().getId();
        long heap0 = Meter.heapAfterGc();
        long cpu0 = Meter.processCpu();
        long selfCpu0 = Meter.threadsCpu(Set.of(self));
        String observed;
        long heapGrowth;
        long cpuMillis;
        int port;
        AttackedServer.Transfers during;
        Throwable duringFailed = null;
        try (RawTcpPeer p = new RawTcpPeer(server.address(), byteByByte)) {
            during = server.transfersDuring(VERIFIED_BYTES, MAX_TRANSFERS_DURING);
            try {
                observed = body.run(p);
            } catch (java.io.IOException e) {
                observed = "attacker's I/O failed: " + e;
            } finally {
                during.stop = true;
            }
            port = p.reportedPort();
            try {
                during.done.get(60, TimeUnit.SECONDS); // a hang guard, not a timing bound
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                duringFailed = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            }
            cpuMillis = Math.max(0,
                    ((Meter.processCpu() - cpu0) - (Meter.threadsCpu(Set.of(self)) - selfCpu0)) / 1_000_000);
            heapGrowth = Meter.heapAfterGc() - heap0;
        }
        boolean tunnelError = expected.startsWith("GOAWAY") || expected.startsWith("server closed:");
        String code = expected.substring(expected.lastIndexOf(' ') + 1);
        String log = null;
        CloseReason serverReason = null;
        if (tunnelError) {
            Pattern peer = Pattern.compile(":" + port + "(?!\\d)");
            log = LogCapture.await(mark, l -> peer.matcher(l).find() && l.contains(code),
                    5000);
            if (server.opened(port)) {
                serverReason = server.serverTunnelClose(port).get(10, TimeUnit.SECONDS);
            }
        }
        server.forget(port);
        long heapBound = heapBoundMiB << 20;
        boolean logRequired = tunnelError;
        boolean pass = expected.equals(observed) && heapGrowth <= heapBound && cpuMillis <= cpuBoundMillis
                && (!logRequired || log != null) && (serverReason == null || serverReason.code().name().equals(code))
                && duringFailed == null;
        rows.add(new Row(name, expected, observed, log, heapGrowth, heapBound, cpuMillis, cpuBoundMillis,
                goodTunnel(during, baselineNanos, duringFailed), pass));
        if (duringFailed != null) {
            throw new AssertionError(name + ": the well-behaved tunnel's transfer during the attack failed", duringFailed);
        }
        assertTrue(during.count >= 1, name + ": no transfer completed during the attack");
        assertEquals(expected, observed, name + ": outcome");
        assertTrue(heapGrowth <= heapBound, name + ": heap grew " + Meter.mib(heapGrowth) + " > " + Meter.mib(heapBound));
        assertTrue(cpuMillis <= cpuBoundMillis, name + ": server CPU " + cpuMillis + " ms > " + cpuBoundMillis + " ms");
        if (logRequired) {
            assertNotNull(log, name + ": no log line naming the peer's port " + port + " and " + code + "; lines: "
                    + LogCapture.since(mark));
            if (serverReason != null) {
                assertEquals(code, serverReason.code().name(), name + ": the server tunnel's close reason " + serverReason);
            }
        }
    }
}
