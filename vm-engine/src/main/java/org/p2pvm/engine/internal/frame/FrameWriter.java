package org.p2pvm.engine.internal.frame;

import static org.p2pvm.engine.internal.frame.FrameType.*;

import java.nio.ByteBuffer;
import org.p2pvm.ErrorCode;
import org.p2pvm.VmAddress;

/**
 * Encodes frames (PROTOCOL.md §2) into a caller's buffer, one method per frame type. Stateless.
 * Each method needs {@link #size} bytes of room; the caller guarantees it.
 */
public final class FrameWriter {
    private FrameWriter() {
    }

    /** Bytes a control frame of {@code payloadLength} takes on the wire. */
    public static int size(int payloadLength) {
        return HEADER_LENGTH + payloadLength;
    }

    public static void header(ByteBuffer b, int length, int type, int flags, int streamId) {
        b.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length)
                .put((byte) type).put((byte) flags).putInt(streamId);
    }

    /** HELLO with the given nonce and settings (pairs of id, value). */
    public static void hello(ByteBuffer b, byte[] nonce, long[] settingPairs) {
        int n = settingPairs.length / 2;
        header(b, HELLO_FIXED + 6 * n, HELLO, 0, 0);
        b.put(MAGIC).put((byte) VERSION).put(nonce);
        for (int i = 0; i < n; i++) {
            b.putShort((short) settingPairs[2 * i]).putInt((int) settingPairs[2 * i + 1]);
        }
    }

    public static void auth(ByteBuffer b, byte[] mac) {
        header(b, AUTH_LENGTH, AUTH, 0, 0);
        b.put(mac);
    }

    public static void ping(ByteBuffer b, boolean ack, long opaque) {
        header(b, PING_LENGTH, PING, ack ? FLAG_ACK : 0, 0);
        b.putLong(opaque);
    }

    /** GOAWAY with a reason already cut to at most 1024 UTF-8 bytes. */
    public static void goaway(ByteBuffer b, ErrorCode code, byte[] reason) {
        header(b, GOAWAY_MIN + reason.length, GOAWAY, 0, 0);
        b.putInt(code.code()).put(reason);
    }

    public static void listen(ByteBuffer b, VmAddress address, boolean listening) {
        header(b, LISTEN_LENGTH, LISTEN, 0, 0);
        address.writeTo(b);
        b.put((byte) (listening ? 1 : 0));
    }

    public static void open(ByteBuffer b, int streamId, VmAddress destination, VmAddress source) {
        header(b, OPEN_LENGTH, OPEN, 0, streamId);
        destination.writeTo(b);
        source.writeTo(b);
    }

    public static void accept(ByteBuffer b, int streamId) {
        header(b, ACCEPT_LENGTH, ACCEPT, 0, streamId);
    }

    /** The header of a DATA frame; the payload follows (in the same or the next buffer). */
    public static void dataHeader(ByteBuffer b, int streamId, int length, boolean fin) {
        header(b, length, DATA, fin ? FLAG_FIN : 0, streamId);
    }

    public static void window(ByteBuffer b, int streamId, int increment) {
        header(b, WINDOW_LENGTH, WINDOW, 0, streamId);
        b.putInt(increment);
    }

    public static void reset(ByteBuffer b, int streamId, ErrorCode code) {
        header(b, RESET_LENGTH, RESET, 0, streamId);
        b.putInt(code.code());
    }
}
