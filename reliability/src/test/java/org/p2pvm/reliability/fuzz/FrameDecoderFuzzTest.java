package org.p2pvm.reliability.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import org.p2pvm.engine.internal.frame.FrameHandler;
import org.p2pvm.engine.internal.frame.FrameReader;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.ProtocolViolation;

/**
 * Jazzer target for the frame decoder (PROTOCOL.md §2): arbitrary bytes, split at arbitrary points,
 * with an arbitrary MAX_FRAME_PAYLOAD. The decoder may reject the input with a
 * {@link ProtocolViolation}, nothing else; whatever it hands the handler obeys the size and
 * stream-id rules (checked here independently), DATA pieces never exceed the frame's length, and
 * bytes are accounted for exactly. Seed corpus: {@code FrameDecoderFuzzTestInputs/decode}.
 */
class FrameDecoderFuzzTest {
    private static final FuzzStats STATS = new FuzzStats("frame-decoder");

    @FuzzTest(maxDuration = "60s")
    void decode(FuzzedDataProvider data) {
        STATS.execution();
        int maxPayload = data.consumeInt(64, 1 << 16);
        int[] splits = new int[data.consumeInt(0, 8)];
        for (int i = 0; i < splits.length; i++) {
            splits[i] = data.consumeInt(1, 64);
        }
        byte[] input = data.consumeRemainingAsBytes();
        FrameReader reader = new FrameReader(maxPayload);
        Checker checker = new Checker(maxPayload);
        int at = 0;
        int s = 0;
        try {
            while (at < input.length) {
                int n = splits.length == 0 ? input.length - at : Math.min(splits[s++ % splits.length], input.length - at);
                ByteBuffer piece = ByteBuffer.wrap(input, at, n);
                reader.read(piece, checker);
                if (piece.hasRemaining()) {
                    throw new AssertionError("the reader left " + piece.remaining() + " bytes unread without failing");
                }
                at += n;
            }
        } catch (ProtocolViolation v) {
            STATS.outcome(); // malformed input rejected: fine
        }
    }

    /** Checks each callback against §2 independently of the reader's own checks. */
    private static final class Checker implements FrameHandler {
        private final int maxPayload;
        private int dataInFrame;

        Checker(int maxPayload) {
            this.maxPayload = maxPayload;
        }

        @Override
        public void onHello(ByteBuffer p) {
            check(p.remaining() >= FrameType.HELLO_FIXED && p.remaining() <= FrameType.HELLO_MAX, "HELLO size");
        }

        @Override
        public void onAuth(ByteBuffer mac) {
            check(mac.remaining() == FrameType.AUTH_LENGTH, "AUTH size");
        }

        @Override
        public void onPing(boolean ack, long opaque) {
        }

        @Override
        public void onGoaway(long errorCode, ByteBuffer reason) {
            check(errorCode >= 0 && errorCode <= 0xFFFFFFFFL, "GOAWAY code");
            check(reason.remaining() <= FrameType.GOAWAY_REASON_MAX, "GOAWAY reason size");
        }

        @Override
        public void onListen(ByteBuffer address16, int port, int state) {
            check(address16.remaining() == 16 && port >= 0 && port <= 0xFFFF && state >= 0 && state <= 0xFF, "LISTEN");
        }

        @Override
        public void onOpen(int streamId, ByteBuffer payload) {
            check(streamId != 0 && payload.limit() == FrameType.OPEN_LENGTH, "OPEN");
        }

        @Override
        public void onAccept(int streamId) {
            check(streamId != 0, "ACCEPT on stream 0");
        }

        @Override
        public void onData(int streamId, ByteBuffer d, boolean endOfFrame, boolean fin) {
            check(streamId != 0, "DATA on stream 0");
            dataInFrame += d.remaining();
            check(dataInFrame <= maxPayload, "DATA frame of " + dataInFrame + " > MAX_FRAME_PAYLOAD " + maxPayload);
            check(!fin || endOfFrame, "FIN before the end of the frame");
            if (endOfFrame) {
                dataInFrame = 0;
            }
        }

        @Override
        public void onWindow(int streamId, long increment) {
            check(increment >= 0 && increment <= 0xFFFFFFFFL, "WINDOW increment");
        }

        @Override
        public void onReset(int streamId, long errorCode) {
            check(streamId != 0, "RESET on stream 0");
        }

        @Override
        public void onUnknown(int type, int flags, int streamId, int length) {
            check(type > FrameType.RESET && length <= maxPayload, "unknown type " + type + " length " + length);
        }

        private static void check(boolean ok, String what) {
            if (!ok) {
                throw new AssertionError("decoder broke §2: " + what);
            }
        }
    }
}
