package org.p2pvm.engine.internal.frame;

import java.nio.ByteBuffer;

/**
 * Receives the frames a {@link FrameReader} decodes, already checked against the size and stream-id
 * rules of PROTOCOL.md §2. Payload buffers are valid only during the call.
 */
public interface FrameHandler {
    /** HELLO (§2, §4): the whole payload. */
    void onHello(ByteBuffer payload) throws ProtocolViolation;

    /** AUTH (§4): 32 bytes of HMAC. */
    void onAuth(ByteBuffer mac) throws ProtocolViolation;

    /** PING (§8). */
    void onPing(boolean ack, long opaque) throws ProtocolViolation;

    /** GOAWAY (§8): code and the raw UTF-8 reason bytes. */
    void onGoaway(long errorCode, ByteBuffer reason) throws ProtocolViolation;

    /** LISTEN (§1, §4): 16 address bytes, port and state as read. */
    void onListen(ByteBuffer address16, int port, int state) throws ProtocolViolation;

    /** OPEN (§5): destination and source, each 16 address bytes + port. */
    void onOpen(int streamId, ByteBuffer payload) throws ProtocolViolation;

    /** ACCEPT (§5). */
    void onAccept(int streamId) throws ProtocolViolation;

    /**
     * A piece of a DATA frame's payload (§5, §6). Large frames may arrive in several pieces, which is
     * how the reader avoids buffering payloads: {@code endOfFrame} marks the last piece, and
     * {@code fin} is true only on it when the frame carries FIN. {@code data} is the carrier's
     * buffer itself, its position and limit set around the piece (position is not 0 in general):
     * read it relatively, do not write into it, and copy what must outlive the call.
     */
    void onData(int streamId, ByteBuffer data, boolean endOfFrame, boolean fin) throws ProtocolViolation;

    /** WINDOW (§6): increment as read, 0 .. 2^32-1 (the handler checks the range). */
    void onWindow(int streamId, long increment) throws ProtocolViolation;

    /** RESET (§5). */
    void onReset(int streamId, long errorCode) throws ProtocolViolation;

    /** A frame of a type this version does not know, already skipped (§2). */
    default void onUnknown(int type, int flags, int streamId, int length) throws ProtocolViolation {
    }
}
