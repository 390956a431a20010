package org.p2pvm.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link WsMasking} against the byte-at-a-time definition of RFC 6455 §5.3. */
class WsMaskingTest {
    private static final int KEY = 0x37fa213d;

    static byte keyByte(int key, int i) {
        return (byte) (key >>> (24 - 8 * (i & 3)));
    }

    @Test
    void everyStartOffsetPhaseAndTailMatchesTheByteLoop() {
        Random random = new Random(1);
        for (boolean direct : new boolean[] {false, true}) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                for (int offset = 0; offset < 8; offset++) {
                    for (int length = 0; length <= 41; length++) {
                        for (int phase = 0; phase < 4; phase++) {
                            byte[] data = new byte[offset + length + 5];
                            random.nextBytes(data);
                            ByteBuffer buf = (direct ? ByteBuffer.allocateDirect(data.length)
                                    : ByteBuffer.allocate(data.length)).order(order);
                            buf.put(data).clear();
                            int next = WsMasking.unmask(buf, offset, offset + length, KEY, phase);
                            byte[] expected = data.clone();
                            for (int i = 0; i < length; i++) {
                                expected[offset + i] ^= keyByte(KEY, phase + i);
                            }
                            byte[] actual = new byte[data.length];
                            buf.get(actual);
                            assertArrayEquals(expected, actual, "direct=" + direct + " " + order + " offset="
                                    + offset + " length=" + length + " phase=" + phase);
                            assertEquals((phase + length) & 3, next);
                        }
                    }
                }
            }
        }
    }

    @Test
    void unmaskingInPiecesEqualsUnmaskingWhole() {
        Random random = new Random(2);
        byte[] data = new byte[1000];
        random.nextBytes(data);
        ByteBuffer whole = ByteBuffer.wrap(data.clone());
        WsMasking.unmask(whole, 0, data.length, KEY, 0);
        for (int trial = 0; trial < 200; trial++) {
            ByteBuffer pieces = ByteBuffer.wrap(data.clone());
            int at = 0;
            int phase = 0;
            while (at < data.length) {
                int n = Math.min(data.length - at, random.nextInt(19));
                phase = WsMasking.unmask(pieces, at, at + n, KEY, phase);
                at += n;
            }
            assertArrayEquals(whole.array(), pieces.array());
        }
    }

    @Test
    void maskingTwiceRestores() {
        byte[] data = new byte[77];
        new Random(3).nextBytes(data);
        ByteBuffer buf = ByteBuffer.wrap(data.clone());
        WsMasking.unmask(buf, 3, 70, KEY, 2);
        WsMasking.unmask(buf, 3, 70, KEY, 2);
        assertArrayEquals(data, buf.array());
    }
}
