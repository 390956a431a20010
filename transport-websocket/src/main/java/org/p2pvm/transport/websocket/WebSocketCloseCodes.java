package org.p2pvm.transport.websocket;

import org.p2pvm.ErrorCode;

/**
 * How tunnel close causes (PROTOCOL.md §9) map to WebSocket close codes (RFC 6455 §7.4) and back.
 *
 * <p>The engine always sends its own GOAWAY before the carrier closes, so the tunnel's real cause
 * travels inside the byte stream; the WebSocket close code is the carrier-level echo of it, for
 * proxies, load balancers and logs that only see WebSocket frames, and the only cause a peer learns
 * when the link is closed by something that never spoke p2pvm (a proxy, a server without the
 * endpoint).
 *
 * <table>
 *   <caption>Tunnel cause → close code sent</caption>
 *   <tr><th>tunnel cause</th><th>close code</th><th>meaning in RFC 6455</th></tr>
 *   <tr><td>NO_ERROR (graceful GOAWAY)</td><td>1000</td><td>Normal Closure</td></tr>
 *   <tr><td>SHUTDOWN</td><td>1001</td><td>Going Away</td></tr>
 *   <tr><td>PROTOCOL_ERROR</td><td>1002 (server) / 4001 (client)</td><td>Protocol Error</td></tr>
 *   <tr><td>AUTH_FAILED</td><td>1008</td><td>Policy Violation</td></tr>
 *   <tr><td>FRAME_SIZE_ERROR (also: WebSocket message above the limit)</td><td>1009 (server) / 4007 (client)</td><td>Message Too Big</td></tr>
 *   <tr><td>INTERNAL_ERROR</td><td>1011</td><td>Internal Error</td></tr>
 *   <tr><td>FLOW_CONTROL_ERROR, REFUSED, CANCELLED, LIMIT_EXCEEDED, TIMEOUT, VERSION_MISMATCH</td>
 *       <td>4000 + wire code (4003, 4004, 4005, 4008, 4009, 4010)</td><td>private use range</td></tr>
 * </table>
 * A text message received (p2pvm carries binary messages only) is closed with 1003 Unsupported Data
 * by the server (4001 by the client) and fails the tunnel with PROTOCOL_ERROR.
 *
 * <p>Why the client column differs: RFC 6455 lets any endpoint send 1002, 1003 and 1009, but the
 * JDK's {@code java.net.http.WebSocket} refuses to send them from a client; the client then sends
 * {@code 4000 + wire code}, which every receiver maps back to the same cause.
 *
 * <table>
 *   <caption>Close code received → tunnel cause reported with the carrier's close</caption>
 *   <tr><th>close code</th><th>tunnel cause</th></tr>
 *   <tr><td>1000, 1001</td><td>none: an orderly close (the GOAWAY before it carries the cause)</td></tr>
 *   <tr><td>1002, 1003, 1007</td><td>PROTOCOL_ERROR</td></tr>
 *   <tr><td>1008</td><td>AUTH_FAILED</td></tr>
 *   <tr><td>1009</td><td>FRAME_SIZE_ERROR</td></tr>
 *   <tr><td>1013 Try Again Later</td><td>LIMIT_EXCEEDED</td></tr>
 *   <tr><td>4000 + n, n a known wire code</td><td>that code</td></tr>
 *   <tr><td>anything else (1006 abnormal, 1011, 1012, ...)</td><td>INTERNAL_ERROR</td></tr>
 * </table>
 *
 * <p>Stateless and thread-safe.
 */
public final class WebSocketCloseCodes {
    /** RFC 6455 Normal Closure. */
    public static final int NORMAL = 1000;
    /** RFC 6455 Going Away. */
    public static final int GOING_AWAY = 1001;
    /** RFC 6455 Protocol Error. */
    public static final int PROTOCOL_ERROR = 1002;
    /** RFC 6455 Unsupported Data (a text message here). */
    public static final int UNSUPPORTED_DATA = 1003;
    /** RFC 6455 Invalid frame payload data. */
    public static final int INVALID_PAYLOAD = 1007;
    /** RFC 6455 Policy Violation. */
    public static final int POLICY_VIOLATION = 1008;
    /** RFC 6455 Message Too Big. */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** RFC 6455 Internal Error. */
    public static final int INTERNAL_ERROR = 1011;
    /** RFC 6455 Try Again Later. */
    public static final int TRY_AGAIN_LATER = 1013;
    /** Base of the private-use codes that carry a p2pvm wire code: {@code 4000 + code}. */
    public static final int PRIVATE_BASE = 4000;

    private WebSocketCloseCodes() {
    }

    /**
     * The close code to send for a tunnel cause.
     *
     * @param client whether the sender is a WebSocket client (it may not send 1002, 1003, 1009 with
     *     the JDK client, so it sends {@code 4000 + code} instead)
     */
    public static int closeCodeFor(ErrorCode cause, boolean client) {
        switch (cause) {
            case NO_ERROR:
                return NORMAL;
            case SHUTDOWN:
                return GOING_AWAY;
            case PROTOCOL_ERROR:
                return client ? PRIVATE_BASE + cause.code() : PROTOCOL_ERROR;
            case AUTH_FAILED:
                return POLICY_VIOLATION;
            case FRAME_SIZE_ERROR:
                return client ? PRIVATE_BASE + cause.code() : MESSAGE_TOO_BIG;
            case INTERNAL_ERROR:
                return INTERNAL_ERROR;
            default:
                return PRIVATE_BASE + cause.code();
        }
    }

    /**
     * The tunnel cause a received close code stands for; {@link ErrorCode#NO_ERROR} for 1000 and
     * {@link ErrorCode#SHUTDOWN} for 1001 (both orderly).
     */
    public static ErrorCode errorCodeFor(int closeCode) {
        switch (closeCode) {
            case NORMAL:
                return ErrorCode.NO_ERROR;
            case GOING_AWAY:
                return ErrorCode.SHUTDOWN;
            case PROTOCOL_ERROR:
            case UNSUPPORTED_DATA:
            case INVALID_PAYLOAD:
                return ErrorCode.PROTOCOL_ERROR;
            case POLICY_VIOLATION:
                return ErrorCode.AUTH_FAILED;
            case MESSAGE_TOO_BIG:
                return ErrorCode.FRAME_SIZE_ERROR;
            case TRY_AGAIN_LATER:
                return ErrorCode.LIMIT_EXCEEDED;
            default:
                if (closeCode >= PRIVATE_BASE && closeCode < PRIVATE_BASE + ErrorCode.values().length) {
                    return ErrorCode.fromWire(closeCode - PRIVATE_BASE);
                }
                return ErrorCode.INTERNAL_ERROR;
        }
    }

    /** Whether a received close code is an orderly close (1000 or 1001) rather than a failure. */
    public static boolean isOrderly(int closeCode) {
        return closeCode == NORMAL || closeCode == GOING_AWAY;
    }
}
