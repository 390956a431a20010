package org.p2pvm.reliability.hostile;

import static org.p2pvm.engine.internal.frame.FrameType.ACCEPT;
import static org.p2pvm.engine.internal.frame.FrameType.AUTH;
import static org.p2pvm.engine.internal.frame.FrameType.DATA;
import static org.p2pvm.engine.internal.frame.FrameType.GOAWAY;
import static org.p2pvm.engine.internal.frame.FrameType.HELLO;
import static org.p2pvm.engine.internal.frame.FrameType.LISTEN;
import static org.p2pvm.engine.internal.frame.FrameType.OPEN;
import static org.p2pvm.engine.internal.frame.FrameType.PING;
import static org.p2pvm.engine.internal.frame.FrameType.RESET;
import static org.p2pvm.engine.internal.frame.FrameType.WINDOW;
import static org.p2pvm.reliability.hostile.AttackedServer.HOLD;
import static org.p2pvm.reliability.hostile.AttackedServer.SINK;
import static org.p2pvm.reliability.hostile.AttackedServer.TOKEN;
import static org.p2pvm.reliability.hostile.HostilePeerCases.open;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.p2pvm.VmAddress;

/**
 * Every length, stream-id and type rule of PROTOCOL.md §2–§6 broken once, each by a fresh raw peer
 * writing byte by byte (except the two window-overflow cases, which need megabytes and are written
 * in bulk). The expected outcome is the one PROTOCOL.md prescribes.
 */
final class MalformedCases {
    /** One case: what the peer does, and what must come of it. */
    record Case(String name, String expected, boolean byteByByte, long heapMiB, HostilePeerSuite.Attack body) {
    }

    /** A step of a case; the outcome is then read from the server (GOAWAY, or RESET on {@code stream}). */
    @FunctionalInterface
    interface Step {
        void run(RawTcpPeer p) throws IOException;
    }

    private final List<Case> cases = new ArrayList<>();

    private MalformedCases() {
    }

    static List<Case> all() {
        MalformedCases m = new MalformedCases();
        m.preHandshake();
        m.streamRules();
        m.lengthRules();
        m.streamsAndFlow();
        return m.cases;
    }

    private void tunnel(String name, String code, Step step) {
        add(name, "GOAWAY " + code, true, 0, step);
    }

    private void add(String name, String expected, boolean byteByByte, int stream, Step step) {
        long heap = name.contains("tunnel window") ? 48 : 16;
        cases.add(new Case(name, expected, byteByByte, heap, p -> {
            try {
                step.run(p);
                p.flush();
            } catch (IOException e) {
                // the server closed while we were still writing: read its GOAWAY below
            }
            if (expected.startsWith("open")) {
                return p.pingAnswered(20) ? "open: PING answered" : "closed: " + p.awaitOutcome(0, 1);
            }
            return p.awaitOutcome(stream, 20);
        }));
    }

    private static void hs(RawTcpPeer p) throws IOException {
        p.handshake(TOKEN);
    }

    static byte[] helloPayload(byte[] magic, int version, byte[] nonce, int settingsBytes) {
        ByteBuffer b = ByteBuffer.allocate(5 + 1 + 16 + settingsBytes);
        b.put(magic).put((byte) version).put(nonce);
        return b.array();
    }

    static final byte[] MAGIC = "P2PVM".getBytes(StandardCharsets.US_ASCII);

    private static byte[] zeros(int n) {
        return new byte[n];
    }

    private void preHandshake() {
        tunnel("§2 HELLO on stream 1", "PROTOCOL_ERROR", p -> p.frame(22, HELLO, 0, 1, helloPayload(MAGIC, 1, p.nonce, 0)));
        tunnel("§2 HELLO length 21", "FRAME_SIZE_ERROR", p -> p.frame(21, HELLO, 0, 0, zeros(21)));
        tunnel("§2 HELLO length 257", "FRAME_SIZE_ERROR", p -> p.frame(257, HELLO, 0, 0, zeros(16)));
        tunnel("§2 AUTH on stream 1", "PROTOCOL_ERROR", p -> {
            p.hello();
            p.frame(32, AUTH, 0, 1, zeros(32));
        });
        tunnel("§2 AUTH length 31", "FRAME_SIZE_ERROR", p -> {
            p.hello();
            p.frame(31, AUTH, 0, 0, zeros(31));
        });
        tunnel("§3 MAX_FRAME_PAYLOAD 63", "PROTOCOL_ERROR", p -> p.hello(1, 63));
        tunnel("§3 INITIAL_STREAM_WINDOW 0", "PROTOCOL_ERROR", p -> p.hello(2, 0));
        tunnel("§3 INITIAL_TUNNEL_WINDOW 2^31", "PROTOCOL_ERROR", p -> p.hello(3, 1L << 31));
        tunnel("§3 HELLO settings not whole 6-byte entries", "PROTOCOL_ERROR",
                p -> p.frame(27, HELLO, 0, 0, helloPayload(MAGIC, 1, p.nonce, 5)));
        tunnel("§3 HELLO with 33 settings", "PROTOCOL_ERROR",
                p -> p.frame(22 + 198, HELLO, 0, 0, helloPayload(MAGIC, 1, p.nonce, 198)));
        tunnel("§4 HELLO without the magic", "PROTOCOL_ERROR",
                p -> p.frame(22, HELLO, 0, 0, helloPayload("HTTP/".getBytes(StandardCharsets.US_ASCII), 1, p.nonce, 0)));
        tunnel("§4 HELLO version 2", "VERSION_MISMATCH", p -> p.frame(22, HELLO, 0, 0, helloPayload(MAGIC, 2, p.nonce, 0)));
        tunnel("§4 HELLO reflecting the server's nonce", "AUTH_FAILED", p -> {
            RawTcpPeer.Frame h = p.expect(HELLO);
            p.frame(22, HELLO, 0, 0, helloPayload(MAGIC, 1, java.util.Arrays.copyOfRange(h.payload(), 6, 22), 0));
        });
        tunnel("§4 AUTH with a wrong MAC", "AUTH_FAILED", p -> {
            p.hello();
            p.expect(HELLO);
            p.frame(32, AUTH, 0, 0, zeros(32));
        });
        tunnel("§4 AUTH before HELLO", "PROTOCOL_ERROR", p -> p.frame(32, AUTH, 0, 0, zeros(32)));
        tunnel("§4 PING before the handshake", "PROTOCOL_ERROR", p -> {
            p.hello();
            p.frame(8, PING, 0, 0, zeros(8));
        });
        tunnel("§4 OPEN before the handshake", "PROTOCOL_ERROR", p -> {
            p.hello();
            open(p, 1, SINK);
        });
        tunnel("§4 unknown type before the handshake", "PROTOCOL_ERROR", p -> p.frame(0, 0x33, 0, 0, zeros(0)));
        tunnel("§4 second HELLO after the handshake", "PROTOCOL_ERROR", p -> {
            hs(p);
            p.hello();
        });
    }

    private void streamRules() {
        tunnel("§2 PING on stream 1", "PROTOCOL_ERROR", p -> {
            hs(p);
            p.frame(8, PING, 0, 1, zeros(8));
        });
        tunnel("§2 GOAWAY on stream 1", "PROTOCOL_ERROR", p -> {
            hs(p);
            p.frame(4, GOAWAY, 0, 1, zeros(4));
        });
        tunnel("§2 LISTEN on stream 1", "PROTOCOL_ERROR", p -> {
            hs(p);
            p.frame(19, LISTEN, 0, 1, RawTcpPeer.listenPayload(VmAddress.parse("[::1]:1"), 1));
        });
        tunnel("§2 OPEN on stream 0", "PROTOCOL_ERROR", p -> {
            hs(p);
            open(p, 0, SINK);
        });
        tunnel("§2 ACCEPT on stream 0", "PROTOCOL_ERROR", p -> {
            hs(p);
            p.frame(0, ACCEPT, 0, 0, zeros(0));
        });
        tunnel("§2 DATA on stream 0", "PROTOCOL_ERROR", p -> {
            hs(p);
            p.frame(1, DATA, 0, 0, zeros(1));
        });
        tunnel("§2 RESET on stream 0", "PROTOCOL_ERROR", p -> {
            hs(p);
            p.frame(4, RESET, 0, 0, zeros(4));
        });
        tunnel("§2 LISTEN state 2", "PROTOCOL_ERROR", p -> {
            hs(p);
            p.frame(19, LISTEN, 0, 0, RawTcpPeer.listenPayload(VmAddress.parse("[::1]:1"), 2));
        });
    }

    private void lengthRules() {
        int[][] wrong = {{PING, 7}, {PING, 9}, {GOAWAY, 3}, {GOAWAY, 1029}, {LISTEN, 18}, {OPEN, 35}, {ACCEPT, 1},
            {WINDOW, 5}, {RESET, 3}, {DATA, 16385}, {DATA, 0xFFFFFF}, {0x77, 16385}};
        for (int[] w : wrong) {
            int type = w[0];
            int length = w[1];
            String name = type == 0x77 ? "unknown type 0x77" : org.p2pvm.engine.internal.frame.FrameType.name(type);
            tunnel("§2 " + name + " length " + length, "FRAME_SIZE_ERROR", p -> {
                hs(p);
                open(p, 1, SINK);
                int stream = type == PING || type == GOAWAY || type == LISTEN ? 0 : type == OPEN ? 3 : 1;
                p.frame(length, type, 0, stream, zeros(Math.min(length, 40))); // never the whole payload
            });
        }
    }

    private void streamsAndFlow() {
        tunnel("§5 OPEN with the server's parity (even id)", "PROTOCOL_ERROR", p -> {
            hs(p);
            open(p, 2, SINK);
        });
        tunnel("§5 OPEN on an id still in use", "PROTOCOL_ERROR", p -> {
            hs(p);
            open(p, 1, HOLD);
            open(p, 1, HOLD);
        });
        tunnel("§5 ACCEPT on a stream the peer opened", "PROTOCOL_ERROR", p -> {
            hs(p);
            open(p, 1, SINK);
            p.frame(0, ACCEPT, 0, 1, zeros(0));
        });
        add("§5 DATA after FIN", "RESET PROTOCOL_ERROR", true, 1, p -> {
            hs(p);
            open(p, 1, SINK);
            p.frame(1, DATA, 1, 1, zeros(1));
            p.frame(1, DATA, 0, 1, zeros(1));
        });
        add("§5 DATA, WINDOW, RESET on ids never opened", "open: PING answered", true, 0, p -> {
            hs(p);
            p.frame(3, DATA, 0, 101, zeros(3));
            p.frame(4, WINDOW, 0, 103, RawTcpPeer.u32(5));
            p.frame(4, RESET, 0, 105, RawTcpPeer.u32(5));
        });
        tunnel("§6 WINDOW increment 0", "PROTOCOL_ERROR", p -> {
            hs(p);
            p.frame(4, WINDOW, 0, 0, RawTcpPeer.u32(0));
        });
        tunnel("§6 tunnel WINDOW above 2^31-1", "FLOW_CONTROL_ERROR", p -> {
            hs(p);
            p.frame(4, WINDOW, 0, 0, RawTcpPeer.u32(Integer.MAX_VALUE));
        });
        add("§6 stream WINDOW above 2^31-1", "RESET FLOW_CONTROL_ERROR", true, 1, p -> {
            hs(p);
            open(p, 1, SINK);
            p.frame(4, WINDOW, 0, 1, RawTcpPeer.u32(Integer.MAX_VALUE));
        });
        add("§6 DATA beyond the stream window (256 KiB + 1)", "RESET FLOW_CONTROL_ERROR", false, 1, p -> {
            hs(p);
            open(p, 1, HOLD);
            byte[] frame = new byte[16384];
            for (int i = 0; i < 16; i++) {
                p.frame(frame.length, DATA, 0, 1, frame);
            }
            p.frame(1, DATA, 0, 1, zeros(1));
        });
        add("§6 DATA beyond the tunnel window (16 MiB + 1)", "GOAWAY FLOW_CONTROL_ERROR", false, 0, p -> {
            hs(p);
            byte[] frame = new byte[16384];
            for (int s = 0; s < 64; s++) {
                open(p, 2 * s + 1, HOLD);
                for (int i = 0; i < 16; i++) {
                    p.frame(frame.length, DATA, 0, 2 * s + 1, frame);
                }
            }
            open(p, 129, HOLD);
            p.frame(1, DATA, 0, 129, zeros(1));
        });
    }
}
