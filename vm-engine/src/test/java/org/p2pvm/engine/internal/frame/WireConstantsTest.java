package org.p2pvm.engine.internal.frame;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;

/** Pins every wire value of PROTOCOL.md: a change here is a protocol change. */
class WireConstantsTest {

    @Test
    void s2_frameTypes() {
        assertEquals(0x0, FrameType.HELLO);
        assertEquals(0x1, FrameType.AUTH);
        assertEquals(0x2, FrameType.PING);
        assertEquals(0x3, FrameType.GOAWAY);
        assertEquals(0x4, FrameType.LISTEN);
        assertEquals(0x5, FrameType.OPEN);
        assertEquals(0x6, FrameType.ACCEPT);
        assertEquals(0x7, FrameType.DATA);
        assertEquals(0x8, FrameType.WINDOW);
        assertEquals(0x9, FrameType.RESET);
    }

    @Test
    void s2_flagsAndSizes() {
        assertEquals(0x1, FrameType.FLAG_ACK);
        assertEquals(0x1, FrameType.FLAG_FIN);
        assertEquals(9, FrameType.HEADER_LENGTH);
        assertEquals(0xFFFFFF, FrameType.MAX_LENGTH);
        assertEquals(256, FrameType.HELLO_MAX);
        assertEquals(32, FrameType.AUTH_LENGTH);
        assertEquals(8, FrameType.PING_LENGTH);
        assertEquals(1028, FrameType.GOAWAY_MAX);
        assertEquals(1024, FrameType.GOAWAY_REASON_MAX);
        assertEquals(19, FrameType.LISTEN_LENGTH);
        assertEquals(36, FrameType.OPEN_LENGTH);
        assertEquals(0, FrameType.ACCEPT_LENGTH);
        assertEquals(4, FrameType.WINDOW_LENGTH);
        assertEquals(4, FrameType.RESET_LENGTH);
    }

    @Test
    void s4_helloMagicAndVersion() {
        assertEquals("P2PVM", new String(FrameType.MAGIC, StandardCharsets.US_ASCII));
        assertEquals(1, FrameType.VERSION);
        assertEquals(16, FrameType.NONCE_LENGTH);
        assertEquals(32, FrameType.MAX_SETTINGS);
    }

    @Test
    void s3_settingIdsAndDefaults() {
        assertEquals(1, Setting.MAX_FRAME_PAYLOAD);
        assertEquals(2, Setting.INITIAL_STREAM_WINDOW);
        assertEquals(3, Setting.INITIAL_TUNNEL_WINDOW);
        assertEquals(4, Setting.MAX_STREAMS);
        assertEquals(5, Setting.MAX_LISTENS);
        assertEquals(16384, Setting.DEFAULT_MAX_FRAME_PAYLOAD);
        assertEquals(262144, Setting.DEFAULT_INITIAL_STREAM_WINDOW);
        assertEquals(16777216, Setting.DEFAULT_INITIAL_TUNNEL_WINDOW);
        assertEquals(1048576, Setting.DEFAULT_MAX_STREAMS);
        assertEquals(4096, Setting.DEFAULT_MAX_LISTENS);
        TunnelOptions d = TunnelOptions.defaults();
        assertEquals(Setting.DEFAULT_MAX_FRAME_PAYLOAD, d.maxFragmentSize());
        assertEquals(Setting.DEFAULT_INITIAL_STREAM_WINDOW, d.initialStreamWindow());
        assertEquals(Setting.DEFAULT_INITIAL_TUNNEL_WINDOW, d.initialTunnelWindow());
        assertEquals(Setting.DEFAULT_MAX_STREAMS, d.maxStreams());
        assertEquals(Setting.DEFAULT_MAX_LISTENS, d.maxListens());
        assertEquals(2 * 1024 * 1024, d.maxBatchBytes(), "the seed's MaxRealBuffer");
    }

    @Test
    void s9_errorCodes() {
        int[] expected = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
        String[] names = {"NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "REFUSED", "CANCELLED",
            "AUTH_FAILED", "FRAME_SIZE_ERROR", "LIMIT_EXCEEDED", "TIMEOUT", "VERSION_MISMATCH", "SHUTDOWN"};
        assertEquals(expected.length, ErrorCode.values().length);
        for (int i = 0; i < expected.length; i++) {
            ErrorCode c = ErrorCode.valueOf(names[i]);
            assertEquals(expected[i], c.code());
            assertSame(c, ErrorCode.fromWire(expected[i]));
        }
        assertSame(ErrorCode.INTERNAL_ERROR, ErrorCode.fromWire(12), "unknown codes map to INTERNAL_ERROR");
        assertSame(ErrorCode.INTERNAL_ERROR, ErrorCode.fromWire(0xFFFFFFFFL));
    }

    // The AUTH label "P2PVM-AUTH-1" and the HMAC input order are pinned by known vectors in
    // org.p2pvm.engine.internal.Section4AuthVectorTest, which drives the engine's own Handshake.
}
