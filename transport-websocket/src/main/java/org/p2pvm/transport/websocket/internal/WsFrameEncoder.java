package org.p2pvm.transport.websocket.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes RFC 6455 frame headers and control frames as the server sends them: unmasked (§5.1: a
 * server must not mask), no extensions (RSV bits 0).
 *
 * <p>Stateless and thread-safe. The buffers it returns belong to the caller; the ones it writes
 * into ({@link #putHeader}) are the caller's too.
 */
public final class WsFrameEncoder {
    /** The longest header a server frame has: 2 bytes, then a 64-bit length. */
    public static final int MAX_HEADER_BYTES = 10;
    /** Longest control frame payload (§5.5). */
    public static final int MAX_CONTROL_PAYLOAD = 125;

    private WsFrameEncoder() {
    }

    /** The header's length for a payload of {@code length} bytes. */
    public static int headerLength(long length) {
        return length < 126 ? 2 : length <= 0xffff ? 4 : 10;
    }

    /** Puts an unmasked frame header at {@code dst}'s position, advancing it. */
    public static void putHeader(ByteBuffer dst, int opcode, boolean fin, long length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative payload length " + length);
        }
        dst.put((byte) ((fin ? 0x80 : 0) | (opcode & 0x0f)));
        if (length < 126) {
            dst.put((byte) length);
        } else if (length <= 0xffff) {
            dst.put((byte) 126);
            dst.putShort((short) length);
        } else {
            dst.put((byte) 127);
            dst.putLong(length);
        }
    }

    /** A whole control frame (ping, pong, close) with a copy of {@code payload}'s remaining bytes. */
    public static ByteBuffer controlFrame(int opcode, ByteBuffer payload) {
        int n = payload.remaining();
        if (n > MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException("control frame payload of " + n + " bytes (at most 125)");
        }
        ByteBuffer frame = ByteBuffer.allocate(2 + n);
        putHeader(frame, opcode, true, n);
        frame.put(payload.duplicate());
        return frame.flip();
    }

    /**
     * A close frame with {@code code} and {@code reason} (cut to fit 123 bytes of UTF-8 without
     * splitting a character); code 0 writes an empty close frame (no status, §5.5.1).
     */
    public static ByteBuffer closeFrame(int code, String reason) {
        if (code == 0) {
            return controlFrame(WsFrameDecoder.OP_CLOSE, ByteBuffer.allocate(0));
        }
        byte[] text = utf8Prefix(reason == null ? "" : reason, MAX_CONTROL_PAYLOAD - 2);
        ByteBuffer payload = ByteBuffer.allocate(2 + text.length);
        payload.putShort((short) code).put(text).flip();
        return controlFrame(WsFrameDecoder.OP_CLOSE, payload);
    }

    private static byte[] utf8Prefix(String s, int max) {
        byte[] all = s.getBytes(StandardCharsets.UTF_8);
        if (all.length <= max) {
            return all;
        }
        int end = max;
        while (end > 0 && (all[end] & 0xc0) == 0x80) {
            end--; // do not cut inside a multi-byte character
        }
        byte[] cut = new byte[end];
        System.arraycopy(all, 0, cut, 0, end);
        return cut;
    }
}
