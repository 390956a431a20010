package org.p2pvm;

/**
 * A tunnel failed to open: wrong token ({@link ErrorCode#AUTH_FAILED}), wrong magic
 * ({@link ErrorCode#PROTOCOL_ERROR}), unsupported version ({@link ErrorCode#VERSION_MISMATCH}),
 * handshake timeout ({@link ErrorCode#TIMEOUT}) or a carrier that closed during the handshake
 * (PROTOCOL.md §4).
 */
public class HandshakeException extends TunnelClosedException {
    private static final long serialVersionUID = 1L;

    public HandshakeException(CloseReason reason) {
        super(reason);
    }

    public HandshakeException(CloseReason reason, Throwable cause) {
        super(reason, cause);
    }
}
