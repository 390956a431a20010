package org.p2pvm.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.p2pvm.transport.websocket.internal.WsFrameDecoder.Violation;

/** {@link WsFrameDecoder} on client frames split in every way a socket read can split them. */
class WsFrameDecoderTest {
    private static final int[] LENGTHS = {0, 1, 7, 8, 9, 125, 126, 127, 1000, 65535, 65536, 70001};

    /** Records what the decoder reports. */
    static final class Recorder implements WsFrameDecoder.Handler {
        final ByteArrayOutputStream data = new ByteArrayOutputStream();
        final List<Integer> messageEnds = new ArrayList<>(); // data bytes seen at each message end
        final List<String> controls = new ArrayList<>();
        Violation violation;
        String detail;
        boolean stopAfterData;

        @Override
        public boolean onData(ByteBuffer buf, boolean messageEnd) {
            byte[] b = new byte[buf.remaining()];
            buf.get(b);
            data.writeBytes(b);
            if (messageEnd) {
                messageEnds.add(data.size());
            }
            return !stopAfterData;
        }

        @Override
        public boolean onControl(int opcode, ByteBuffer payload) {
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            controls.add(opcode + ":" + new String(b, java.nio.charset.StandardCharsets.ISO_8859_1) + "@" + data.size());
            return true;
        }

        @Override
        public void onViolation(Violation v, String d) {
            violation = v;
            detail = d;
        }
    }

    private static byte[] payload(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Feeds {@code stream} in pieces of {@code chunk} bytes (0: random sizes), each in a fresh buffer. */
    private static Recorder feed(byte[] stream, int chunk, long max) {
        Recorder r = new Recorder();
        WsFrameDecoder d = new WsFrameDecoder(r, max);
        Random random = new Random(stream.length);
        int at = 0;
        while (at < stream.length) {
            int n = chunk > 0 ? chunk : 1 + random.nextInt(300);
            n = Math.min(n, stream.length - at);
            ByteBuffer piece = ByteBuffer.allocateDirect(n + 3);
            piece.position(3); // payload not at offset 0 of the buffer
            piece.put(stream, at, n).flip().position(3);
            d.decode(piece);
            if (d.isDead()) {
                break;
            }
            assertFalse(piece.hasRemaining(), "decoder left bytes although the handler went on");
            at += n;
        }
        return r;
    }

    @Test
    void everyLengthEncodingWholeByteByByteAndInRandomPieces() {
        for (int length : LENGTHS) {
            byte[] p = payload(length, length);
            byte[] stream = new ClientFrames().frame(WsFrameDecoder.OP_BINARY, true, p).bytes();
            for (int chunk : new int[] {stream.length, 1, 0}) {
                Recorder r = feed(stream, chunk, 1 << 20);
                assertNull(r.violation, r.detail);
                assertArrayEquals(p, r.data.toByteArray(), "length " + length + " chunk " + chunk);
                assertEquals(List.of(length), r.messageEnds, "length " + length + " chunk " + chunk);
            }
        }
    }

    @Test
    void manyMessagesOfMixedFragmentsArriveInOrder() {
        ClientFrames f = new ClientFrames();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        List<Integer> ends = new ArrayList<>();
        Random random = new Random(7);
        for (int m = 0; m < 30; m++) {
            int fragments = 1 + random.nextInt(4);
            for (int i = 0; i < fragments; i++) {
                byte[] p = payload(LENGTHS[random.nextInt(LENGTHS.length - 2)], m * 10 + i);
                f.frame(i == 0 ? WsFrameDecoder.OP_BINARY : WsFrameDecoder.OP_CONTINUATION, i == fragments - 1, p);
                expected.writeBytes(p);
            }
            ends.add(expected.size());
        }
        for (int chunk : new int[] {1, 3, 0, 100_000}) {
            Recorder r = feed(f.bytes(), chunk, 1 << 20);
            assertNull(r.violation, r.detail);
            assertArrayEquals(expected.toByteArray(), r.data.toByteArray(), "chunk " + chunk);
            assertEquals(ends, r.messageEnds);
        }
    }

    @Test
    void controlFramesBetweenFragmentsAreReportedWhole() {
        byte[] a = payload(300, 1);
        byte[] b = payload(5, 2);
        byte[] stream = new ClientFrames()
                .frame(WsFrameDecoder.OP_BINARY, false, a)
                .frame(WsFrameDecoder.OP_PING, true, "hi".getBytes())
                .frame(WsFrameDecoder.OP_PONG, true, new byte[0])
                .frame(WsFrameDecoder.OP_CONTINUATION, true, b)
                .frame(WsFrameDecoder.OP_CLOSE, true, new byte[] {3, (byte) 0xe8, 'o', 'k'})
                .bytes();
        for (int chunk : new int[] {1, 0, stream.length}) {
            Recorder r = feed(stream, chunk, 1 << 20);
            assertNull(r.violation, r.detail);
            assertEquals(List.of(305), r.messageEnds);
            assertEquals(List.of("9:hi@300", "10:@300", "8:\u0003\u00e8ok@305"), r.controls);
        }
    }

    @Test
    void unmaskedClientFrameIsAProtocolError() {
        byte[] stream = new ClientFrames().frame(WsFrameDecoder.OP_BINARY, true, payload(10, 1), false, 0).bytes();
        Recorder r = feed(stream, 1, 1 << 20);
        assertEquals(Violation.PROTOCOL, r.violation);
        assertTrue(r.detail.contains("unmasked"), r.detail);
        assertEquals(0, r.data.size());
    }

    @Test
    void textMessageIsReportedBeforeItsPayload() {
        byte[] stream = new ClientFrames().frame(WsFrameDecoder.OP_TEXT, true, "hello".getBytes()).bytes();
        Recorder r = feed(stream, stream.length, 1 << 20);
        assertEquals(Violation.TEXT, r.violation);
        assertTrue(r.detail.startsWith("text"), r.detail); // AbstractWsCarrier picks 1003 by this prefix
        assertEquals(0, r.data.size());
    }

    @Test
    void messageAboveTheLimitIsRefusedAtTheFrameHeader() {
        byte[] single = new ClientFrames().frame(WsFrameDecoder.OP_BINARY, true, payload(1001, 1)).bytes();
        Recorder r = feed(single, single.length, 1000);
        assertEquals(Violation.TOO_BIG, r.violation);
        assertEquals(0, r.data.size());

        byte[] fragments = new ClientFrames()
                .frame(WsFrameDecoder.OP_BINARY, false, payload(600, 1))
                .frame(WsFrameDecoder.OP_CONTINUATION, true, payload(600, 2)).bytes();
        r = feed(fragments, 1, 1000);
        assertEquals(Violation.TOO_BIG, r.violation);
        assertEquals(600, r.data.size());

        byte[] huge = new ClientFrames().header64(WsFrameDecoder.OP_BINARY, true, Long.MAX_VALUE).bytes();
        assertEquals(Violation.TOO_BIG, feed(huge, 1, 1000).violation);
        byte[] negative = new ClientFrames().header64(WsFrameDecoder.OP_BINARY, true, -1).bytes();
        assertEquals(Violation.PROTOCOL, feed(negative, 1, 1000).violation);

        byte[] exact = new ClientFrames().frame(WsFrameDecoder.OP_BINARY, false, payload(600, 1))
                .frame(WsFrameDecoder.OP_CONTINUATION, true, payload(400, 2))
                .frame(WsFrameDecoder.OP_BINARY, true, payload(1000, 3)).bytes();
        r = feed(exact, 0, 1000);
        assertNull(r.violation, r.detail); // the limit is per message
        assertEquals(List.of(1000, 2000), r.messageEnds);
    }

    @Test
    void framingErrorsAreProtocolErrors() {
        byte[][] bad = {
            new ClientFrames().frame(WsFrameDecoder.OP_BINARY, true, payload(3, 1), true, 4).bytes(), // RSV1
            new ClientFrames().frame(0x3, true, payload(3, 1)).bytes(), // reserved opcode
            new ClientFrames().frame(WsFrameDecoder.OP_CONTINUATION, true, payload(3, 1)).bytes(),
            new ClientFrames().frame(WsFrameDecoder.OP_PING, true, payload(126, 1)).bytes(),
            new ClientFrames().frame(WsFrameDecoder.OP_PING, false, payload(3, 1)).bytes(),
            new ClientFrames().frame(WsFrameDecoder.OP_BINARY, false, payload(3, 1))
                    .frame(WsFrameDecoder.OP_BINARY, true, payload(3, 2)).bytes(),
        };
        for (byte[] stream : bad) {
            Recorder r = feed(stream, 1, 1 << 20);
            assertEquals(Violation.PROTOCOL, r.violation, r.detail);
            assertFalse(r.detail.startsWith("text"), r.detail);
        }
    }

    @Test
    void aHandlerThatStopsLeavesTheRestInTheBufferAndDecodingResumes() {
        byte[] a = payload(10, 1);
        byte[] b = payload(20, 2);
        ByteBuffer in = new ClientFrames().frame(WsFrameDecoder.OP_BINARY, true, a)
                .frame(WsFrameDecoder.OP_BINARY, true, b).buffer();
        Recorder r = new Recorder();
        r.stopAfterData = true;
        WsFrameDecoder d = new WsFrameDecoder(r, 1 << 20);
        assertFalse(d.decode(in));
        assertEquals(10, r.data.size());
        assertEquals(20 + 6, in.remaining());
        r.stopAfterData = false;
        assertTrue(d.decode(in));
        assertEquals(List.of(10, 30), r.messageEnds);
        assertFalse(in.hasRemaining());
    }
}
