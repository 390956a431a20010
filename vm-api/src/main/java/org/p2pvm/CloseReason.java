package org.p2pvm;

import java.util.Objects;

/**
 * Why a tunnel closed: the error code, which side decided it, and a human readable detail.
 *
 * @param code the GOAWAY code sent or received; {@link ErrorCode#INTERNAL_ERROR} when the carrier
 *     was lost without any GOAWAY
 * @param origin who caused the close
 * @param detail a short explanation for logs (never contains tokens or payload bytes)
 */
public record CloseReason(ErrorCode code, Origin origin, String detail) {

    /** Which side caused a close. */
    public enum Origin {
        /** This end decided to close (API call, protocol error detected here, timeout). */
        LOCAL,
        /** The peer sent GOAWAY. */
        REMOTE,
        /** The carrier failed or was closed without a GOAWAY (socket reset, EOF, I/O error). */
        CARRIER
    }

    public CloseReason {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(origin, "origin");
        detail = detail == null ? "" : detail;
    }

    /** Whether this close is graceful: a GOAWAY with NO_ERROR or SHUTDOWN. */
    public boolean isGraceful() {
        return origin != Origin.CARRIER && code.isGraceful();
    }

    @Override
    public String toString() {
        return origin.name().toLowerCase(java.util.Locale.ROOT) + " " + code + (detail.isEmpty() ? "" : ": " + detail);
    }
}
