package org.p2pvm.reliability.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmException;
import org.p2pvm.VmServer;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * Issue 8 §3 "nothing lost": transfer 10 MB on 100 streams (100 KiB each, dialer → acceptor, each
 * receiver answering FIN after checking the SHA-256) and cut the carrier at a random byte. Every
 * stream must either be delivered whole with the right hash, or fail with an error at its opener;
 * never may a receiver see a clean FIN with a short or corrupted payload, nor an opener see success
 * for a stream its receiver did not verify, nor a stream hang. 200 runs over an in-memory link cut at
 * an exact byte (half of them reporting the cut as an orderly EOF, the way a transport that maps a
 * cut to a clean close would), and 20 runs over nio TCP through a proxy that forwards exactly N
 * bytes and then resets both sides.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NothingLostTest {
    static final int STREAMS = 100;
    static final int BYTES = 100 * 1024;
    static final VmAddress DEST = VmAddress.parse("[fd00::10]:10");
    static final String TOKEN = "nothing-lost";
    static final int MEMORY_RUNS = 200;
    static final int TCP_RUNS = 20;
    static final long CUT_RANGE = 10_500_000; // a little beyond the ~10.25 MB a run carries

    static byte[][] payloads = new byte[STREAMS][];
    static byte[][] hashes = new byte[STREAMS][];
    static ExecutorService pool;

    @BeforeAll
    static void payloads() throws Exception {
        SplittableRandom r = new SplittableRandom(20261125);
        for (int i = 0; i < STREAMS; i++) {
            payloads[i] = new byte[BYTES];
            r.nextBytes(payloads[i]);
            hashes[i] = MessageDigest.getInstance("SHA-256").digest(payloads[i]);
        }
        pool = Executors.newFixedThreadPool(2, r2 -> {
            Thread t = new Thread(r2, "cut-link");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    /** Totals over runs. */
    static final class Tally {
        int runs;
        int cutRuns;
        long delivered;
        long failed;
        final List<String> violations = new ArrayList<>();

        String summary() {
            return runs + " runs (" + cutRuns + " cut), " + delivered + " streams delivered whole, " + failed
                    + " failed with an error, " + violations.size() + " violations";
        }
    }

    @Test
    void memoryLink_200RandomCuts() throws Exception {
        Tally tally = new Tally();
        SplittableRandom r = new SplittableRandom(42);
        for (int run = 0; run < MEMORY_RUNS; run++) {
            long cutAt = r.nextLong(CUT_RANGE);
            boolean cleanEof = run % 2 == 1;
            CutLink link = new CutLink(pool, cutAt, cleanEof);
            TunnelOptions o = TunnelOptions.builder().authToken(TOKEN).build();
            Receivers receivers = new Receivers();
            CompletableFuture<TunnelEngine.TunnelSession> as = new CompletableFuture<>();
            CompletableFuture<TunnelEngine.TunnelSession> ds = new CompletableFuture<>();
            link.acceptor.executor().execute(() -> {
                TunnelEngine.TunnelSession s = TunnelEngine.open(link.acceptor, o,
                        t -> t.install(VmServer.listen(DEST, receivers::accept)));
                link.acceptor.attach(s);
                as.complete(s);
            });
            link.dialer.executor().execute(() -> {
                TunnelEngine.TunnelSession s = TunnelEngine.open(link.dialer, o, null);
                link.dialer.attach(s);
                ds.complete(s);
            });
            Tunnel dialer;
            try {
                dialer = ds.get(10, TimeUnit.SECONDS).handshake().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                tally.runs++; // cut inside the handshake: nothing to transfer
                tally.cutRuns++;
                continue;
            }
            runOnce(dialer, receivers, tally, "memory run " + run + " cut at " + cutAt + (cleanEof ? " (EOF)" : ""));
            if (link.wasCut()) {
                tally.cutRuns++;
            }
            dialer.close();
            Tunnel acceptor = as.get().tunnel();
            dialer.closeFuture().get(20, TimeUnit.SECONDS);
            acceptor.closeFuture().get(20, TimeUnit.SECONDS);
        }
        FaultReport.add("nothing lost, in-memory link cut at an exact random byte", "memoryLink_200RandomCuts", tally.summary());
        assertTrue(tally.violations.isEmpty(), tally.summary() + ": " + tally.violations.subList(0,
                Math.min(10, tally.violations.size())));
        assertEquals(MEMORY_RUNS, tally.runs);
        assertTrue(tally.failed > 0 && tally.delivered > 0, "the cuts hit both before and after streams finished: "
                + tally.summary());
    }

    @Test
    void nioTcp_20RandomCuts() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Transports.names().contains("nio"),
                "transport nio not in the reactor: the TCP runs of nothing-lost are skipped");
        Tally tally = new Tally();
        SplittableRandom r = new SplittableRandom(43);
        TunnelOptions o = TunnelOptions.builder().authToken(TOKEN).build();
        try (Transport st = Transports.get("nio"); Transport ct = Transports.get("nio")) {
            for (int run = 0; run < TCP_RUNS; run++) {
                long cutAt = r.nextLong(CUT_RANGE);
                Receivers receivers = new Receivers();
                CompletableFuture<Tunnel> acceptor = new CompletableFuture<>();
                TransportServer server = st.bind(URI.create("tcp://127.0.0.1:0"), o, t -> {
                    t.install(VmServer.listen(DEST, receivers::accept));
                    acceptor.complete(t);
                }).get(10, TimeUnit.SECONDS);
                try (FaultProxy proxy = new FaultProxy(server.localAddress())) {
                    proxy.cutUpstreamAfter(cutAt);
                    Tunnel dialer;
                    try {
                        dialer = ct.connect(Transports.tcpUri(proxy.address()), o).get(10, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException e) {
                        tally.runs++;
                        tally.cutRuns++;
                        continue;
                    }
                    runOnce(dialer, receivers, tally, "nio run " + run + " cut at " + cutAt);
                    if (proxy.upstreamBytes() > cutAt) {
                        tally.cutRuns++;
                    }
                    dialer.close();
                    dialer.closeFuture().get(20, TimeUnit.SECONDS);
                } finally {
                    server.closeAsync().get(20, TimeUnit.SECONDS);
                }
            }
        }
        FaultReport.add("nothing lost, nio TCP through a proxy that forwards N bytes then resets", "nioTcp_20RandomCuts", tally.summary());
        assertTrue(tally.violations.isEmpty(), tally.summary() + ": " + tally.violations);
        assertEquals(TCP_RUNS, tally.runs);
    }

    /** The receiving side: checks each stream at its FIN, answers FIN; records what it saw. */
    static final class Receivers {
        final CompletableFuture<?>[] verified = new CompletableFuture<?>[STREAMS];
        final String[] mismatch = new String[STREAMS];

        Receivers() {
            for (int i = 0; i < STREAMS; i++) {
                verified[i] = new CompletableFuture<Void>();
            }
        }

        void accept(VmConnection c) {
            int i = c.remoteAddress().port() - 1;
            MessageDigest md = sha();
            long[] got = {0};
            c.setHandler(new VmConnection.Handler() {
                @Override
                public void onData(VmConnection conn, ByteBuffer data) {
                    got[0] += data.remaining();
                    md.update(data);
                }

                @Override
                public void onInputShutdown(VmConnection conn) {
                    byte[] h = md.digest();
                    if (got[0] == BYTES && Arrays.equals(h, hashes[i])) {
                        verified[i].complete(null);
                        conn.shutdownOutput();
                    } else {
                        mismatch[i] = "stream " + i + " saw a clean FIN after " + got[0] + " of " + BYTES
                                + " bytes" + (got[0] == BYTES ? " with a wrong hash" : "");
                        verified[i].completeExceptionally(new AssertionError(mismatch[i]));
                        conn.reset(org.p2pvm.ErrorCode.INTERNAL_ERROR);
                    }
                }

                @Override
                public void onClosed(VmConnection conn, Throwable failure) {
                    if (failure != null) {
                        verified[i].completeExceptionally(failure);
                    }
                }
            });
        }
    }

    static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void runOnce(Tunnel dialer, Receivers receivers, Tally tally, String label) throws Exception {
        tally.runs++;
        List<VmConnection> conns = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            VmConnection c = dialer.open(DEST, VmAddress.of("::1", i + 1));
            conns.add(c);
            Sender s = new Sender(c, payloads[i]);
            c.setHandler(s);
            dialer.executor().execute(s::writeMore);
        }
        for (int i = 0; i < STREAMS; i++) {
            CompletableFuture<Void> closed = conns.get(i).closeFuture();
            try {
                closed.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                tally.violations.add(label + ": stream " + i + " neither finished nor failed in 30 s");
                continue;
            } catch (java.util.concurrent.ExecutionException e) {
                tally.failed++;
                if (!(e.getCause() instanceof VmException)) {
                    tally.violations.add(label + ": stream " + i + " failed with a non-VmException " + e.getCause());
                }
                continue;
            }
            // the opener saw success: the receiver must have verified every byte
            CompletableFuture<?> v = receivers.verified[i];
            if (!v.isDone() || v.isCompletedExceptionally()) {
                tally.violations.add(label + ": stream " + i + " reported success but its receiver "
                        + (receivers.mismatch[i] != null ? receivers.mismatch[i] : "did not verify it"));
            } else {
                tally.delivered++;
            }
        }
        for (int i = 0; i < STREAMS; i++) {
            if (receivers.mismatch[i] != null) {
                tally.violations.add(label + ": " + receivers.mismatch[i]);
            }
        }
    }

    /** Writes a payload in 16 KiB slices while writable, then FIN; on the tunnel's executor. */
    static final class Sender implements VmConnection.Handler {
        private final VmConnection c;
        private final byte[] data;
        private int sent;
        private boolean fin;

        Sender(VmConnection c, byte[] data) {
            this.c = c;
            this.data = data;
        }

        void writeMore() {
            while (!fin && sent < data.length && c.isWritable() && c.isOpen()) {
                int n = Math.min(16384, data.length - sent);
                c.write(ByteBuffer.wrap(data, sent, n), failure -> { });
                sent += n;
            }
            if (!fin && sent == data.length) {
                fin = true;
                c.shutdownOutput();
            }
        }

        @Override
        public void onData(VmConnection connection, ByteBuffer d) {
        }

        @Override
        public void onWritabilityChanged(VmConnection connection) {
            writeMore();
        }
    }
}
