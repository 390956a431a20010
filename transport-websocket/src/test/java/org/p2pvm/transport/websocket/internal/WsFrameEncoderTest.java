package org.p2pvm.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link WsFrameEncoder}: server frames are unmasked and use the shortest length form. */
class WsFrameEncoderTest {
    @Test
    void headerLengthForms() {
        long[] lengths = {0, 125, 126, 65535, 65536, 1L << 40};
        int[] sizes = {2, 2, 4, 4, 10, 10};
        for (int i = 0; i < lengths.length; i++) {
            ByteBuffer b = ByteBuffer.allocate(10);
            WsFrameEncoder.putHeader(b, WsFrameDecoder.OP_BINARY, true, lengths[i]);
            assertEquals(sizes[i], b.position());
            assertEquals(sizes[i], WsFrameEncoder.headerLength(lengths[i]));
            assertEquals((byte) 0x82, b.get(0));
            assertEquals(0, b.get(1) & 0x80, "server frames are not masked");
            b.flip().position(1);
            int len7 = b.get() & 0x7f;
            long decoded = len7 == 126 ? b.getShort() & 0xffff : len7 == 127 ? b.getLong() : len7;
            assertEquals(lengths[i], decoded);
        }
    }

    @Test
    void closeFrameCarriesCodeAndAReasonCutAtACharacterBoundary() {
        ByteBuffer f = WsFrameEncoder.closeFrame(1009, "é".repeat(100));
        assertEquals((byte) 0x88, f.get());
        int len = f.get();
        assertEquals(f.remaining(), len);
        assertEquals(1009, f.getShort());
        assertEquals("é".repeat(61), StandardCharsets.UTF_8.decode(f).toString());
        assertEquals(2, WsFrameEncoder.closeFrame(0, "x").remaining());
    }
}
