package org.p2pvm.reliability.hostile;

import static org.p2pvm.engine.internal.frame.FrameType.ACCEPT;
import static org.p2pvm.engine.internal.frame.FrameType.DATA;
import static org.p2pvm.engine.internal.frame.FrameType.LISTEN;
import static org.p2pvm.engine.internal.frame.FrameType.OPEN;
import static org.p2pvm.engine.internal.frame.FrameType.OPEN_LENGTH;
import static org.p2pvm.engine.internal.frame.FrameType.PING;
import static org.p2pvm.engine.internal.frame.FrameType.RESET;
import static org.p2pvm.engine.internal.frame.FrameType.WINDOW;
import static org.p2pvm.reliability.hostile.AttackedServer.ENDLESS;
import static org.p2pvm.reliability.hostile.AttackedServer.HOLD;
import static org.p2pvm.reliability.hostile.AttackedServer.NOWHERE;
import static org.p2pvm.reliability.hostile.AttackedServer.SINK;
import static org.p2pvm.reliability.hostile.AttackedServer.SOURCE;
import static org.p2pvm.reliability.hostile.AttackedServer.TOKEN;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.VmAddress;

/**
 * The cases of issue 8 §2 against one transport: floods (PROTOCOL.md §10), slow attacks, and every
 * length/stream/type rule of §2–§6 broken once ({@link MalformedCases}). Floods are written in bulk
 * (line rate); handshakes and malformed frames byte by byte. Each case's bounds are in its call;
 * outcomes are those PROTOCOL.md prescribes (see docs/RELIABILITY.md).
 */
abstract class HostilePeerCases extends HostilePeerSuite {
    static final VmAddress SRC = VmAddress.parse("[fd00::bad]:666");
    static final int LIMIT_PROBE = 1100; // every §10 default burst is 1000 frames (100/s × 10 s)

    static void open(RawTcpPeer p, int id, VmAddress dst) throws IOException {
        p.frame(OPEN_LENGTH, OPEN, 0, id, RawTcpPeer.openPayload(dst, SRC));
    }

    /** Sends frames until the server stops taking them (it closes after its GOAWAY), then reads the outcome. */
    interface Flood {
        void send(RawTcpPeer p) throws IOException;
    }

    /** Sends a flood (reading the server's replies as they come, see {@link RawTcpPeer#drainAvailable}). */
    static String flood(RawTcpPeer p, Flood f) throws Exception {
        try {
            f.send(p);
            p.flush();
        } catch (IOException e) {
            // the server closed mid-flood, after its GOAWAY: read it below
        }
        return p.awaitOutcome(0, 20);
    }

    @Test
    void flood_ping_acksNeverRead() throws Exception {
        attack("PING flood, ACKs never read", "GOAWAY LIMIT_EXCEEDED", false, 16, 5000, p -> {
            p.handshake(TOKEN);
            try {
                for (int i = 0; i < LIMIT_PROBE; i++) {
                    p.frame(8, PING, 0, 0, new byte[8]);
                }
                p.flush(); // no read until every PING is out
            } catch (IOException e) {
                // closed after GOAWAY
            }
            return p.awaitOutcome(0, 20);
        });
    }

    @Test
    void flood_rapidReset() throws Exception {
        attack("rapid reset: OPEN+RESET at line rate (up to 60,000 pairs)", "GOAWAY LIMIT_EXCEEDED", false, 32, 20000, p -> {
            p.handshake(TOKEN);
            return flood(p, q -> {
                // the bucket holds 10,000 and refills at 1,000/s while the flood runs: stop at the GOAWAY
                for (int i = 0, id = 1; i < 60_000 && !q.goawaySeen(); i++, id += 2) {
                    open(q, id, SINK);
                    q.frame(4, RESET, 0, id, RawTcpPeer.u32(ErrorCode.CANCELLED.code()));
                    if (i % 512 == 0) {
                        q.drainAvailable();
                    }
                }
            });
        });
    }

    @Test
    void flood_emptyData() throws Exception {
        attack("empty DATA ×1,100", "GOAWAY LIMIT_EXCEEDED", false, 16, 5000, p -> {
            p.handshake(TOKEN);
            return flood(p, q -> {
                open(q, 1, SINK);
                for (int i = 0; i < LIMIT_PROBE; i++) {
                    q.frame(0, DATA, 0, 1, new byte[0]);
                }
            });
        });
    }

    @Test
    void flood_windowIncrementOne() throws Exception {
        attack("WINDOW +1 ×100,000 (stream 0 and a stream)", "open: PING answered", false, 16, 10000, p -> {
            p.handshake(TOKEN);
            open(p, 1, SINK);
            for (int i = 0; i < 50_000; i++) {
                p.frame(4, WINDOW, 0, 0, RawTcpPeer.u32(1));
                p.frame(4, WINDOW, 0, 1, RawTcpPeer.u32(1));
                if (i % 1024 == 0) {
                    p.drainAvailable();
                }
            }
            return p.pingAnswered(20) ? "open: PING answered" : "closed: " + p.awaitOutcome(0, 1);
        });
    }

    @Test
    void flood_listenChurn() throws Exception {
        attack("LISTEN add/remove ×1,100", "GOAWAY LIMIT_EXCEEDED", false, 16, 5000, p -> {
            p.handshake(TOKEN);
            return flood(p, q -> {
                for (int i = 0; i < LIMIT_PROBE; i++) {
                    q.frame(19, LISTEN, 0, 0, RawTcpPeer.listenPayload(VmAddress.parse("[fd00::1]:80"), 1 - (i & 1)));
                }
            });
        });
    }

    @Test
    void flood_unknownTypes() throws Exception {
        attack("unknown-type frames ×1,100", "GOAWAY LIMIT_EXCEEDED", false, 16, 5000, p -> {
            p.handshake(TOKEN);
            return flood(p, q -> {
                for (int i = 0; i < LIMIT_PROBE; i++) {
                    q.frame(0, 0x0A + i % 200, i & 0xFF, i, new byte[0]);
                }
            });
        });
    }

    @Test
    void flood_openBeyondMaxStreams() throws Exception {
        int n = AttackedServer.MAX_STREAMS + 50;
        attack("OPEN ×150 held open, MAX_STREAMS 100", "open: 100 ACCEPT, 50 RESET LIMIT_EXCEEDED, PING answered",
                false, 16, 5000, p -> {
                    p.handshake(TOKEN);
                    for (int i = 0; i < n; i++) {
                        open(p, 2 * i + 1, HOLD);
                    }
                    p.flush();
                    int accepted = 0;
                    int limited = 0;
                    int other = 0;
                    while (accepted + limited + other < n) {
                        RawTcpPeer.Frame f = p.next(20);
                        if (f == null || f == RawTcpPeer.EOF) {
                            return "ended after " + accepted + " ACCEPT, " + limited + " RESET LIMIT_EXCEEDED";
                        }
                        if (f.type() == ACCEPT) {
                            accepted++;
                        } else if (f.type() == RESET && f.code() == ErrorCode.LIMIT_EXCEEDED) {
                            limited++;
                        } else if (f.type() == RESET) {
                            other++;
                        }
                    }
                    return "open: " + accepted + " ACCEPT, " + limited + " RESET LIMIT_EXCEEDED"
                            + (other > 0 ? ", " + other + " other RESET" : "")
                            + (p.pingAnswered(20) ? ", PING answered" : ", no PING answer");
                });
    }

    /** Not a §10 limit: refused OPENs cost one RESET each and are not rate-capped (see RELIABILITY.md). */
    @Test
    void flood_openRefused() throws Exception {
        // §10: refused OPENs share the rapid-reset budget (each costs the server a RESET write, the
        // CVE-2023-44487 pattern): the first burst is refused one by one, then the tunnel closes
        attack("OPEN to an address nobody listens on at line rate (up to 60,000)", "GOAWAY LIMIT_EXCEEDED", false,
                16, 10000, p -> {
                    p.handshake(TOKEN);
                    return flood(p, q -> {
                        for (int i = 0, id = 1; i < 60_000 && !q.goawaySeen(); i++, id += 2) {
                            open(q, id, NOWHERE);
                            if (i % 512 == 0) {
                                q.drainAvailable();
                            }
                        }
                    });
                });
    }

    @Test
    void openRefusedWithinBudget() throws Exception {
        int n = 2_000; // well under the budget (maxResetsPerSecond, a bucket of 10 s worth)
        attack("OPEN ×2,000 to an address nobody listens on", "open: 2000 RESET REFUSED, PING answered", false, 16,
                10000, p -> {
                    p.handshake(TOKEN);
                    for (int i = 0; i < n; i++) {
                        open(p, 2 * i + 1, NOWHERE);
                    }
                    p.flush();
                    int refused = 0;
                    while (refused < n) {
                        RawTcpPeer.Frame f = p.next(20);
                        if (f == null || f == RawTcpPeer.EOF || f.type() == org.p2pvm.engine.internal.frame.FrameType.GOAWAY) {
                            return "ended after " + refused + " RESET REFUSED: " + (f == null ? "timeout" : f);
                        }
                        if (f.type() == RESET && f.code() == ErrorCode.REFUSED) {
                            refused++;
                        }
                    }
                    return "open: " + refused + " RESET REFUSED" + (p.pingAnswered(20) ? ", PING answered" : ", no PING answer");
                });
    }

    // ---------------------------------------------------------------- slow attacks

    @Test
    void slow_slowlorisHandshake() throws Exception {
        List<RawTcpPeer> others = new ArrayList<>();
        try {
            attack("slowloris: 50 carriers send 5 bytes of HELLO and stop", "GOAWAY TIMEOUT", true, 32, 5000, p -> {
                byte[] partial = {0, 0, 22, 0, 0};
                for (int i = 0; i < 49; i++) {
                    RawTcpPeer o = new RawTcpPeer(server.address(), true);
                    others.add(o);
                    o.write(partial);
                }
                p.write(partial);
                String outcome = p.awaitOutcome(0, 20);
                for (RawTcpPeer o : others) {
                    String e = o.awaitOutcome(0, 20);
                    if (e == null) {
                        return "another slowloris carrier was never closed";
                    }
                }
                return outcome;
            });
        } finally {
            others.forEach(RawTcpPeer::close);
        }
    }

    @Test
    void slow_oneByteWindowNeverGrown() throws Exception {
        attack("stream window of 1 byte, never grown (server writes 8 MiB)",
                "open: 1 byte delivered, then stalled; PING answered ×3", false, 24, 5000, p -> {
                    p.handshake(TOKEN, 2, 1); // INITIAL_STREAM_WINDOW = 1
                    open(p, 1, SOURCE);
                    p.flush();
                    long bytes = 0;
                    int answered = 0;
                    p.expect(ACCEPT);
                    // the server's first write may come after our PINGs are answered: wait for the byte the
                    // window allows before checking that nothing more comes
                    while (bytes == 0) {
                        RawTcpPeer.Frame f = p.next(20);
                        if (f == null || f == RawTcpPeer.EOF) {
                            return "ended: " + f + " before any byte";
                        }
                        if (f.type() == DATA && f.streamId() == 1) {
                            bytes += f.payload().length;
                        } else if (f.type() == org.p2pvm.engine.internal.frame.FrameType.GOAWAY) {
                            return "GOAWAY " + f.code();
                        }
                    }
                    for (int round = 0; round < 3; round++) {
                        long opaque = 0x1_0000L + round;
                        p.send(b -> org.p2pvm.engine.internal.frame.FrameWriter.ping(b, false, opaque));
                        p.flush();
                        while (true) {
                            RawTcpPeer.Frame f = p.next(20);
                            if (f == null || f == RawTcpPeer.EOF) {
                                return "ended: " + f + " after " + bytes + " bytes";
                            }
                            if (f.type() == DATA && f.streamId() == 1) {
                                bytes += f.payload().length;
                            } else if (f.type() == PING && (f.flags() & 1) != 0
                                    && java.nio.ByteBuffer.wrap(f.payload()).getLong(0) == opaque) {
                                answered++;
                                break;
                            } else if (f.type() == org.p2pvm.engine.internal.frame.FrameType.GOAWAY) {
                                return "GOAWAY " + f.code();
                            }
                        }
                    }
                    return "open: " + bytes + " byte delivered, then stalled; PING answered ×" + answered;
                });
    }

    @Test
    void slow_peerNeverReadsTheCarrier() throws Exception {
        attack("peer never reads the carrier (server writes 8 MiB with 2 GiB of credit)", "server closed: TIMEOUT",
                false, 48, 10000, p -> {
                    p.handshake(TOKEN);
                    open(p, 1, SOURCE);
                    p.frame(4, WINDOW, 0, 1, RawTcpPeer.u32(Integer.MAX_VALUE - 262_144));
                    p.frame(4, WINDOW, 0, 0, RawTcpPeer.u32(Integer.MAX_VALUE - 16_777_216));
                    p.flush();
                    CompletableFuture<CloseReason> closed = server.serverTunnelClose(p.localPort());
                    if (closed == null) {
                        return "the server's tunnel never opened";
                    }
                    CloseReason r = closed.get(30, TimeUnit.SECONDS); // keepalive timeout 4 s
                    return "server closed: " + r.code();
                });
    }

    @Test
    void slow_acceptBacklog() throws Exception {
        int held = AttackedServer.MAX_PENDING_HANDSHAKES;
        int extra = 16;
        List<RawTcpPeer> holders = new ArrayList<>();
        List<RawTcpPeer> extras = new ArrayList<>();
        try {
            attack("accept backlog: 64 carriers never send HELLO (maxPendingHandshakes 64), 16 more arrive",
                    "GOAWAY LIMIT_EXCEEDED", false, 32, 5000, p -> {
                        holders.add(p);
                        for (int i = 1; i < held; i++) {
                            holders.add(new RawTcpPeer(server.address(), false));
                        }
                        // the server sends HELLO once it has counted a carrier: after 64 HELLOs the backlog is full
                        for (RawTcpPeer h : holders) {
                            RawTcpPeer.Frame f = h.next(20);
                            if (f == null || f.type() != org.p2pvm.engine.internal.frame.FrameType.HELLO) {
                                return "a held carrier got " + f + " instead of HELLO";
                            }
                        }
                        String first = null;
                        for (int i = 0; i < extra; i++) {
                            RawTcpPeer x = new RawTcpPeer(server.address(), false);
                            extras.add(x);
                            String o = x.awaitOutcome(0, 20);
                            if (!"GOAWAY LIMIT_EXCEEDED".equals(o)) {
                                return "carrier " + (held + i + 1) + " (beyond the backlog): " + o;
                            }
                            first = first == null ? o : first;
                        }
                        p.reportFor(extras.get(0)); // the log line to find is the first refused carrier's
                        // the held carriers leave by their handshake timeout; then the backlog has room again
                        for (RawTcpPeer h : holders) {
                            String o = h.awaitOutcome(0, 20);
                            if (!"GOAWAY TIMEOUT".equals(o)) {
                                return "a held carrier ended with " + o + " instead of its handshake timeout";
                            }
                        }
                        server.newTunnelWorks(VERIFIED_BYTES);
                        return first;
                    });
        } finally {
            holders.forEach(RawTcpPeer::close);
            extras.forEach(RawTcpPeer::close);
        }
    }

    @Test
    void slow_pingsBelowTheRateCapCarrierNeverRead() throws Exception {
        // the server writes without end to a peer that does not read, so its PING ACKs queue behind the
        // data: 990 PINGs (below the burst of 1,000) are 16.8 KB of ACKs, above the 8 KiB control
        // backlog; the server stops reading there (nothing it reads can grow the backlog) and the
        // keepalive timeout closes the silent tunnel. The engine test
        // Section10FloodGuardTest.s10_controlBacklogCap_stopsReading pins the threshold itself.
        attack("PINGs below the rate cap (990), carrier never read, control backlog 8 KiB",
                "server closed: TIMEOUT", false, 16, 10000, p -> {
                    p.handshake(TOKEN);
                    open(p, 1, ENDLESS);
                    p.frame(4, WINDOW, 0, 1, RawTcpPeer.u32(Integer.MAX_VALUE - 262_144));
                    p.frame(4, WINDOW, 0, 0, RawTcpPeer.u32(Integer.MAX_VALUE - 16_777_216));
                    p.flush();
                    for (int i = 0; i < 990; i++) {
                        p.frame(8, PING, 0, 0, java.nio.ByteBuffer.allocate(8).putLong(i).array());
                        if (i % 99 == 98) {
                            p.flush();
                        }
                    }
                    p.flush();
                    CloseReason r = server.serverTunnelClose(p.localPort()).get(30, TimeUnit.SECONDS); // keepalive 4 s
                    return "server closed: " + r.code();
                });
    }

    // ---------------------------------------------------------------- §2–§6 malformed, one rule each

    /** Whether this transport also runs the 48 malformed-frame cases (they test the engine's decoder). */
    boolean runsMalformedCases() {
        return true;
    }

    @TestFactory
    Stream<DynamicTest> malformed() {
        if (!runsMalformedCases()) {
            return Stream.of(DynamicTest.dynamicTest("malformed cases (skipped)", () -> org.junit.jupiter.api.Assumptions
                    .abort("the §2-§6 malformed-frame cases run over nio only: they exercise the engine's decoder, "
                            + "which is the same over every transport, and the build has a time budget")));
        }
        return MalformedCases.all().stream().map(c -> DynamicTest.dynamicTest(c.name(),
                () -> attack(c.name(), c.expected(), c.byteByByte(), c.heapMiB(), 5000, c.body())));
    }
}
