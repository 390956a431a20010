package org.p2pvm;

import java.io.IOException;
import java.util.Objects;

/**
 * Base of every failure that p2pvm reports: it always carries the {@link ErrorCode} of
 * PROTOCOL.md §9 that caused it.
 *
 * <p>Subclasses say where the failure happened: {@link TunnelClosedException} for the whole tunnel,
 * {@link StreamResetException} for one virtual connection, {@link HandshakeException} for a tunnel
 * that never opened.
 */
public class VmException extends IOException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode errorCode;

    public VmException(ErrorCode errorCode, String message) {
        this(errorCode, message, null);
    }

    public VmException(ErrorCode errorCode, String message, Throwable cause) {
        super(message, cause);
        this.errorCode = Objects.requireNonNull(errorCode, "errorCode");
    }

    /** The protocol error code behind this failure. */
    public ErrorCode errorCode() {
        return errorCode;
    }
}
