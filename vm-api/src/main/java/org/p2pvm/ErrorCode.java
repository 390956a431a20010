package org.p2pvm;

/**
 * The error codes of PROTOCOL.md §9, with their wire values.
 *
 * <p>A tunnel-level error travels in GOAWAY and closes the tunnel; a stream-level error travels in
 * RESET and leaves the tunnel up. Every {@link VmException} carries one of these codes, so callers
 * classify failures by code, never by message text.
 */
public enum ErrorCode {
    /** Graceful close (§8). */
    NO_ERROR(0),
    /** The peer broke a rule of the protocol (§2, §4, §5). */
    PROTOCOL_ERROR(1),
    /** Something failed inside this implementation; also used for unknown codes received. */
    INTERNAL_ERROR(2),
    /** A window above 2^31-1, or DATA beyond the advertised window (§6). */
    FLOW_CONTROL_ERROR(3),
    /** No listener for the destination, or the listener rejected the stream (§5). */
    REFUSED(4),
    /** The stream was abandoned by the application. */
    CANCELLED(5),
    /** The handshake's HMAC did not verify, or the peer reflected our nonce (§4). */
    AUTH_FAILED(6),
    /** A frame's length broke a size rule (§2). */
    FRAME_SIZE_ERROR(7),
    /** A limit such as MAX_STREAMS or MAX_LISTENS was exceeded (§3, §5). */
    LIMIT_EXCEEDED(8),
    /** Handshake or keepalive timeout (§4, §8). */
    TIMEOUT(9),
    /** The peer speaks an unsupported protocol version (§4). */
    VERSION_MISMATCH(10),
    /** Graceful close because the sender shuts down (§8). */
    SHUTDOWN(11);

    private static final ErrorCode[] BY_CODE = values();

    private final int code;

    ErrorCode(int code) {
        this.code = code;
    }

    /** The u32 wire value of this code. */
    public int code() {
        return code;
    }

    /**
     * Maps a wire value to its code. Unknown values map to {@link #INTERNAL_ERROR}: a peer of a
     * later protocol version may send codes we do not know, and they must still fail the stream.
     *
     * @param wireValue the u32 value read from GOAWAY or RESET, as an unsigned long
     */
    public static ErrorCode fromWire(long wireValue) {
        if (wireValue >= 0 && wireValue < BY_CODE.length) {
            return BY_CODE[(int) wireValue];
        }
        return INTERNAL_ERROR;
    }

    /** Whether a GOAWAY with this code is graceful (streams in progress may finish, §8). */
    public boolean isGraceful() {
        return this == NO_ERROR || this == SHUTDOWN;
    }
}
