package org.p2pvm.transport.websocket.internal;

import java.nio.ByteBuffer;

/**
 * Parses the RFC 6455 frames a client sends to a server, incrementally: a header may be split
 * across any number of reads; payloads are unmasked in place and handed on as they arrive, without a
 * copy. It enforces what p2pvm's server needs: every client frame masked (§5.1), no RSV bits (no
 * extension is negotiated), known opcodes, control frames whole and at most 125 bytes, continuation
 * frames only inside a message, and the message size limit (summed over a message's frames, checked
 * at each frame header, before its payload is read). Text messages are reported, not decoded.
 *
 * <h2>Buffers</h2>
 * {@link #decode} unmasks the input buffer's payload bytes in place, so the input must be the
 * caller's to modify (the carrier's read buffer). The buffer given to {@link Handler#onData} is that
 * input, its limit narrowed to the payload piece; the handler consumes it before returning and keeps
 * no reference. Control frame payloads are collected in a small array of the decoder's own; the
 * buffer given to {@link Handler#onControl} is valid only during the call.
 *
 * <h2>Threading</h2>
 * Not thread-safe: one decoder per connection, used on its I/O thread.
 */
public final class WsFrameDecoder {
    public static final int OP_CONTINUATION = 0x0;
    public static final int OP_TEXT = 0x1;
    public static final int OP_BINARY = 0x2;
    public static final int OP_CLOSE = 0x8;
    public static final int OP_PING = 0x9;
    public static final int OP_PONG = 0xa;

    /** Why decoding stopped for good. */
    public enum Violation {
        /** The frames break RFC 6455 (close code 1002). */
        PROTOCOL,
        /** A text message: p2pvm carries binary messages only. */
        TEXT,
        /** A message above the size limit. */
        TOO_BIG
    }

    /** What the decoder reports, on the caller's thread, from inside {@link #decode}. */
    public interface Handler {
        /**
         * Payload bytes of a binary message, unmasked: consume all of them before returning.
         *
         * @param messageEnd whether they end the message (the FIN frame's last bytes)
         * @return whether to go on decoding now (false: stop, e.g. the reader is suspended)
         */
        boolean onData(ByteBuffer data, boolean messageEnd);

        /**
         * A whole control frame (close, ping or pong), unmasked.
         *
         * @return whether to go on decoding now
         */
        boolean onControl(int opcode, ByteBuffer payload);

        /** The client broke a rule; the decoder decodes nothing more. */
        void onViolation(Violation violation, String detail);
    }

    private enum State { HEADER, DATA, CONTROL, DEAD }

    private final Handler handler;
    private final long maxMessageBytes;

    private State state = State.HEADER;
    private final byte[] head = new byte[14];
    private int headBytes;
    private int headNeeded = 2;

    private int opcode;
    private boolean fin;
    private int key;
    private int phase;
    private long payloadLeft;

    /** A data message is open (its last frame had no FIN). */
    private boolean inMessage;
    private long messageBytes;

    private final byte[] control = new byte[WsFrameEncoder.MAX_CONTROL_PAYLOAD];
    private final ByteBuffer controlBuf = ByteBuffer.wrap(control);
    private int controlBytes;

    /**
     * @param maxMessageBytes the largest binary message accepted, summed over its frames
     */
    public WsFrameDecoder(Handler handler, long maxMessageBytes) {
        this.handler = handler;
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Whether a violation stopped decoding for good. */
    public boolean isDead() {
        return state == State.DEAD;
    }

    /**
     * Decodes from {@code in}'s position until it is empty, the handler asks to stop, or a violation.
     * Bytes not yet decoded stay between {@code in}'s position and limit.
     *
     * @return false when decoding stopped before {@code in} was empty (or the decoder is dead)
     */
    public boolean decode(ByteBuffer in) {
        while (in.hasRemaining()) {
            switch (state) {
                case HEADER:
                    if (!readHeader(in)) {
                        return state != State.DEAD;
                    }
                    break;
                case DATA:
                    if (!readData(in)) {
                        return false;
                    }
                    break;
                case CONTROL:
                    if (!readControl(in)) {
                        return false;
                    }
                    break;
                default:
                    return false;
            }
        }
        // a frame with an empty payload completes without input
        if (state == State.DATA && payloadLeft == 0) {
            return readData(in);
        }
        if (state == State.CONTROL && payloadLeft == 0) {
            return readControl(in);
        }
        return state != State.DEAD;
    }

    /** @return true once a whole header has been parsed (state changed), false when input ran out or dead */
    private boolean readHeader(ByteBuffer in) {
        while (headBytes < headNeeded) {
            if (!in.hasRemaining()) {
                return false;
            }
            head[headBytes++] = in.get();
            if (headBytes == 2 && !checkFirstTwo()) {
                return false;
            }
        }
        int len7 = head[1] & 0x7f;
        int at = 2;
        long length;
        if (len7 == 126) {
            length = ((head[2] & 0xff) << 8) | (head[3] & 0xff);
            at = 4;
        } else if (len7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (head[i] & 0xff);
            }
            if (length < 0) {
                return fail(Violation.PROTOCOL, "frame length with the most significant bit set");
            }
            at = 10;
        } else {
            length = len7;
        }
        key = ((head[at] & 0xff) << 24) | ((head[at + 1] & 0xff) << 16) | ((head[at + 2] & 0xff) << 8)
                | (head[at + 3] & 0xff);
        phase = 0;
        payloadLeft = length;
        headBytes = 0;
        headNeeded = 2;
        if (opcode >= OP_CLOSE) {
            controlBytes = 0;
            state = State.CONTROL;
            return true;
        }
        if (length > maxMessageBytes - messageBytes) {
            return fail(Violation.TOO_BIG, "WebSocket message of more than " + maxMessageBytes
                    + " bytes (websocket.maxMessageBytes)");
        }
        messageBytes += length;
        inMessage = !fin;
        state = State.DATA;
        return true;
    }

    /** Checks the first two header bytes and works out the header's length. */
    private boolean checkFirstTwo() {
        int b0 = head[0] & 0xff;
        int b1 = head[1] & 0xff;
        fin = (b0 & 0x80) != 0;
        opcode = b0 & 0x0f;
        if ((b0 & 0x70) != 0) {
            return fail(Violation.PROTOCOL, "frame with RSV bits set, but no extension was negotiated");
        }
        if ((b1 & 0x80) == 0) {
            return fail(Violation.PROTOCOL, "unmasked frame from a client (RFC 6455 5.1)");
        }
        int len7 = b1 & 0x7f;
        switch (opcode) {
            case OP_CLOSE:
            case OP_PING:
            case OP_PONG:
                if (!fin || len7 > WsFrameEncoder.MAX_CONTROL_PAYLOAD) {
                    return fail(Violation.PROTOCOL, "fragmented or oversized control frame (opcode " + opcode + ")");
                }
                break;
            case OP_CONTINUATION:
                if (!inMessage) {
                    return fail(Violation.PROTOCOL, "continuation frame outside a message");
                }
                break;
            case OP_TEXT:
                if (inMessage) {
                    return fail(Violation.PROTOCOL, "new message inside an unfinished message");
                }
                return fail(Violation.TEXT, "text WebSocket message received; p2pvm carries binary messages only");
            case OP_BINARY:
                if (inMessage) {
                    return fail(Violation.PROTOCOL, "new message inside an unfinished message");
                }
                messageBytes = 0;
                break;
            default:
                return fail(Violation.PROTOCOL, "unknown opcode " + opcode);
        }
        headNeeded = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
        return true;
    }

    /** @return whether to go on */
    private boolean readData(ByteBuffer in) {
        int pos = in.position();
        int n = (int) Math.min(in.remaining(), payloadLeft);
        phase = WsMasking.unmask(in, pos, pos + n, key, phase);
        payloadLeft -= n;
        boolean frameDone = payloadLeft == 0;
        boolean messageEnd = frameDone && fin;
        if (frameDone) {
            state = State.HEADER;
            if (messageEnd) {
                messageBytes = 0;
            }
        }
        int limit = in.limit();
        in.limit(pos + n);
        boolean go;
        try {
            go = handler.onData(in, messageEnd);
        } finally {
            in.limit(limit);
            in.position(pos + n);
        }
        return go;
    }

    /** @return whether to go on */
    private boolean readControl(ByteBuffer in) {
        int n = (int) Math.min(in.remaining(), payloadLeft);
        in.get(control, controlBytes, n);
        controlBytes += n;
        payloadLeft -= n;
        if (payloadLeft > 0) {
            return true;
        }
        state = State.HEADER;
        controlBuf.clear().limit(controlBytes);
        WsMasking.unmask(controlBuf, 0, controlBytes, key, 0);
        return handler.onControl(opcode, controlBuf);
    }

    private boolean fail(Violation v, String detail) {
        state = State.DEAD;
        handler.onViolation(v, detail);
        return false;
    }
}
