package org.p2pvm;

import java.util.Objects;

/**
 * The tunnel a virtual connection or an operation depended on has closed. Every stream still open
 * on a closing tunnel fails with one of these, naming the {@link CloseReason} (PROTOCOL.md §8).
 */
public class TunnelClosedException extends VmException {
    private static final long serialVersionUID = 1L;

    private final transient CloseReason reason;

    public TunnelClosedException(CloseReason reason) {
        this(reason, null);
    }

    public TunnelClosedException(CloseReason reason, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason").code(), "tunnel closed (" + reason + ")", cause);
        this.reason = reason;
    }

    /** Why the tunnel closed. */
    public CloseReason reason() {
        return reason;
    }
}
