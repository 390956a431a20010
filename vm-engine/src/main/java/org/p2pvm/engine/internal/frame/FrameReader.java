package org.p2pvm.engine.internal.frame;

import static org.p2pvm.engine.internal.frame.FrameType.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.p2pvm.ErrorCode;

/**
 * Decodes the carrier's byte stream into frames (PROTOCOL.md §2), however the bytes are split.
 *
 * <p>Every header is checked against the stream-id and size rules <em>before</em> any payload byte
 * is buffered, so a hostile length costs nothing. DATA payloads are never buffered: they are handed
 * to the handler as views of the input, in as many pieces as the input was split into (zero copy,
 * §7). Control payloads (at most 1028 bytes) are gathered in one reused array.
 *
 * <p><b>No allocation per frame.</b> Each DATA piece is the input buffer itself, its position and
 * limit set around the piece for the duration of the call; each control payload is the same reused
 * wrapper of the array. So a handler's buffer does not start at index 0 and is reused for the next
 * frame: use relative access (or index from {@code position()}), and copy what must outlive the call. Frames of unknown
 * types are skipped without buffering; their length must not exceed this end's MAX_FRAME_PAYLOAD
 * (PROTOCOL.md §2, as clarified by this project).
 *
 * <p>Not thread-safe: owned by the tunnel's executor. After a {@link ProtocolViolation} the reader is
 * poisoned; the tunnel closes.
 */
public final class FrameReader {
    private final int maxDataPayload;

    private final byte[] header = new byte[HEADER_LENGTH];
    private int headerFill;
    private final byte[] control = new byte[GOAWAY_MAX];
    private final ByteBuffer controlView = ByteBuffer.wrap(control);
    private int controlFill;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0); // capacity 0: nothing a handler can change

    private boolean inPayload;
    private int length;
    private int type;
    private int flags;
    private int streamId;
    private int remaining;
    private boolean failed;
    private long framesRead;

    /** @param maxDataPayload this end's MAX_FRAME_PAYLOAD setting (§3) */
    public FrameReader(int maxDataPayload) {
        this.maxDataPayload = maxDataPayload;
    }

    /** Frames whose header has been read completely. */
    public long framesRead() {
        return framesRead;
    }

    /** Whether the reader is between frames (no partial frame buffered). */
    public boolean atFrameBoundary() {
        return !inPayload && headerFill == 0;
    }

    /**
     * Decodes all of {@code in} (its position ends at its limit unless a violation is thrown),
     * calling {@code handler} for each complete control frame and each DATA piece.
     */
    public void read(ByteBuffer in, FrameHandler handler) throws ProtocolViolation {
        if (failed) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "reader used after a protocol violation");
        }
        try {
            while (in.hasRemaining()) {
                if (!inPayload) {
                    if (!readHeader(in)) {
                        return;
                    }
                    beginFrame(handler);
                } else if (type == DATA) {
                    int n = Math.min(remaining, in.remaining());
                    remaining -= n;
                    boolean end = remaining == 0;
                    if (end) {
                        inPayload = false;
                    }
                    deliverPiece(in, n, handler, end, end && (flags & FLAG_FIN) != 0);
                } else if (!isKnown(type)) {
                    int n = Math.min(remaining, in.remaining());
                    in.position(in.position() + n);
                    remaining -= n;
                    if (remaining == 0) {
                        inPayload = false;
                        handler.onUnknown(type, flags, streamId, length);
                    }
                } else {
                    int n = Math.min(remaining, in.remaining());
                    in.get(control, controlFill, n);
                    controlFill += n;
                    remaining -= n;
                    if (remaining == 0) {
                        inPayload = false;
                        dispatchControl(handler, controlView.limit(controlFill).position(0));
                    }
                }
            }
        } catch (ProtocolViolation v) {
            if (v.isTunnelError()) {
                failed = true;
            }
            throw v;
        }
    }

    /**
     * Hands the next {@code n} bytes of {@code in} to the handler as {@code in} itself, its limit
     * lowered to the end of the piece (the reader owns {@code in} during {@link #read}, and a view per
     * piece would be an allocation per frame); then puts back the limit and byte order and moves the
     * position past the piece, whatever the handler did.
     */
    private void deliverPiece(ByteBuffer in, int n, FrameHandler handler, boolean end, boolean fin)
            throws ProtocolViolation {
        int pos = in.position();
        int limit = in.limit();
        ByteOrder order = in.order();
        in.limit(pos + n);
        in.order(ByteOrder.BIG_ENDIAN);
        try {
            handler.onData(streamId, in, end, fin);
        } finally {
            in.order(order);
            in.limit(limit).position(pos + n);
        }
    }

    private boolean readHeader(ByteBuffer in) {
        if (headerFill == 0 && in.remaining() >= HEADER_LENGTH) {
            int p = in.position();
            length = (in.get(p) & 0xFF) << 16 | (in.get(p + 1) & 0xFF) << 8 | in.get(p + 2) & 0xFF;
            type = in.get(p + 3) & 0xFF;
            flags = in.get(p + 4) & 0xFF;
            streamId = in.getInt(p + 5);
            in.position(p + HEADER_LENGTH);
            return true;
        }
        int n = Math.min(HEADER_LENGTH - headerFill, in.remaining());
        in.get(header, headerFill, n);
        headerFill += n;
        if (headerFill < HEADER_LENGTH) {
            return false;
        }
        headerFill = 0;
        length = (header[0] & 0xFF) << 16 | (header[1] & 0xFF) << 8 | header[2] & 0xFF;
        type = header[3] & 0xFF;
        flags = header[4] & 0xFF;
        streamId = (header[5] & 0xFF) << 24 | (header[6] & 0xFF) << 16 | (header[7] & 0xFF) << 8 | header[8] & 0xFF;
        return true;
    }

    private void beginFrame(FrameHandler handler) throws ProtocolViolation {
        framesRead++;
        checkStreamRule();
        checkLength();
        remaining = length;
        controlFill = 0;
        if (length > 0) {
            inPayload = true;
            return;
        }
        // an empty payload is complete at once
        if (type == DATA) {
            handler.onData(streamId, EMPTY, true, (flags & FLAG_FIN) != 0);
        } else if (!isKnown(type)) {
            handler.onUnknown(type, flags, streamId, 0);
        } else {
            dispatchControl(handler, controlView.limit(0).position(0));
        }
    }

    private void checkStreamRule() throws ProtocolViolation {
        boolean ok = switch (type) {
            case HELLO, AUTH, PING, GOAWAY, LISTEN -> streamId == 0;
            case OPEN, ACCEPT, DATA, RESET -> streamId != 0;
            default -> true; // WINDOW: 0 or a stream; unknown types: no rule
        };
        if (!ok) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, name(type) + " on stream "
                    + Integer.toUnsignedString(streamId) + (streamId == 0 ? " (must not be 0)" : " (must be 0)"));
        }
    }

    private void checkLength() throws ProtocolViolation {
        boolean ok = switch (type) {
            case HELLO -> length >= HELLO_FIXED && length <= HELLO_MAX;
            case AUTH -> length == AUTH_LENGTH;
            case PING -> length == PING_LENGTH;
            case GOAWAY -> length >= GOAWAY_MIN && length <= GOAWAY_MAX;
            case LISTEN -> length == LISTEN_LENGTH;
            case OPEN -> length == OPEN_LENGTH;
            case ACCEPT -> length == ACCEPT_LENGTH;
            case WINDOW -> length == WINDOW_LENGTH;
            case RESET -> length == RESET_LENGTH;
            default -> length <= maxDataPayload; // DATA, and unknown types
        };
        if (!ok) {
            throw ProtocolViolation.tunnel(ErrorCode.FRAME_SIZE_ERROR, name(type) + " with length " + length
                    + " on stream " + Integer.toUnsignedString(streamId) + " breaks the size rule of §2");
        }
    }

    private void dispatchControl(FrameHandler h, ByteBuffer p) throws ProtocolViolation {
        switch (type) {
            case HELLO -> h.onHello(p);
            case AUTH -> h.onAuth(p);
            case PING -> h.onPing((flags & FLAG_ACK) != 0, p.getLong(0));
            case GOAWAY -> h.onGoaway(Integer.toUnsignedLong(p.getInt(0)), p.slice(4, p.limit() - 4));
            case LISTEN -> h.onListen(p.slice(0, 16), p.getShort(16) & 0xFFFF, p.get(18) & 0xFF);
            case OPEN -> h.onOpen(streamId, p);
            case ACCEPT -> h.onAccept(streamId);
            case WINDOW -> h.onWindow(streamId, Integer.toUnsignedLong(p.getInt(0)));
            case RESET -> h.onReset(streamId, Integer.toUnsignedLong(p.getInt(0)));
            default -> throw new IllegalStateException("not a control type: " + type);
        }
    }
}
