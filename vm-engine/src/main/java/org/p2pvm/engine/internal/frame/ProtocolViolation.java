package org.p2pvm.engine.internal.frame;

import org.p2pvm.ErrorCode;

/**
 * A rule of PROTOCOL.md broken by the peer. {@link #streamId()} is 0 for a tunnel-level error
 * (GOAWAY and close, §9), else the stream to RESET while the tunnel stays up.
 */
public final class ProtocolViolation extends Exception {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int streamId;

    private ProtocolViolation(ErrorCode code, int streamId, String message) {
        super(message, null, false, false);
        this.code = code;
        this.streamId = streamId;
    }

    /** A tunnel-level error: GOAWAY {@code code}, then close. */
    public static ProtocolViolation tunnel(ErrorCode code, String message) {
        return new ProtocolViolation(code, 0, message);
    }

    /** A stream-level error: RESET {@code code} on {@code streamId}. */
    public static ProtocolViolation stream(ErrorCode code, int streamId, String message) {
        return new ProtocolViolation(code, streamId, message);
    }

    public ErrorCode code() {
        return code;
    }

    public int streamId() {
        return streamId;
    }

    public boolean isTunnelError() {
        return streamId == 0;
    }
}
