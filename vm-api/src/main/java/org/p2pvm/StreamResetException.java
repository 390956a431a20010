package org.p2pvm;

/**
 * One virtual connection was aborted by RESET (PROTOCOL.md §5), sent by this end or by the peer.
 * The tunnel stays up. A refused {@link Tunnel#connect} fails with code {@link ErrorCode#REFUSED};
 * a connect beyond the peer's MAX_STREAMS with {@link ErrorCode#LIMIT_EXCEEDED}.
 */
public class StreamResetException extends VmException {
    private static final long serialVersionUID = 1L;

    private final boolean remote;

    public StreamResetException(ErrorCode code, boolean remote, String message) {
        super(code, message);
        this.remote = remote;
    }

    /** True when the peer sent the RESET, false when this end did. */
    public boolean isRemote() {
        return remote;
    }
}
