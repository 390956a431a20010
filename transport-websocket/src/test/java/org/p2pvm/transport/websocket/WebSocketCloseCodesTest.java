package org.p2pvm.transport.websocket;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.p2pvm.ErrorCode;

/** The close-code table of {@link WebSocketCloseCodes}, both ways, row by row as documented. */
class WebSocketCloseCodesTest {
    @ParameterizedTest(name = "{0} sent by the server -> {1}, by the client -> {2}")
    @CsvSource({
            "NO_ERROR,           1000, 1000", // graceful GOAWAY: Normal Closure
            "SHUTDOWN,           1001, 1001", // Going Away
            "PROTOCOL_ERROR,     1002, 4001", // the JDK client may not send 1002
            "AUTH_FAILED,        1008, 1008", // Policy Violation
            "FRAME_SIZE_ERROR,   1009, 4007", // Message Too Big; not from the JDK client
            "INTERNAL_ERROR,     1011, 1011",
            "FLOW_CONTROL_ERROR, 4003, 4003", // the rest: 4000 + wire code
            "REFUSED,            4004, 4004",
            "CANCELLED,          4005, 4005",
            "LIMIT_EXCEEDED,     4008, 4008",
            "TIMEOUT,            4009, 4009",
            "VERSION_MISMATCH,   4010, 4010",
    })
    void causeToCloseCode(ErrorCode cause, int server, int client) {
        assertEquals(server, WebSocketCloseCodes.closeCodeFor(cause, false), "server");
        assertEquals(client, WebSocketCloseCodes.closeCodeFor(cause, true), "client");
    }

    @ParameterizedTest(name = "{0} received -> {1}, orderly={2}")
    @CsvSource({
            "1000, NO_ERROR,           true",
            "1001, SHUTDOWN,           true",
            "1002, PROTOCOL_ERROR,     false",
            "1003, PROTOCOL_ERROR,     false", // Unsupported Data: a text message
            "1007, PROTOCOL_ERROR,     false",
            "1008, AUTH_FAILED,        false",
            "1009, FRAME_SIZE_ERROR,   false",
            "1013, LIMIT_EXCEEDED,     false", // Try Again Later
            "1006, INTERNAL_ERROR,     false", // abnormal closure
            "1011, INTERNAL_ERROR,     false",
            "1012, INTERNAL_ERROR,     false",
            "3000, INTERNAL_ERROR,     false",
            "4000, NO_ERROR,           false", // 4000 + wire code, every one of them
            "4001, PROTOCOL_ERROR,     false",
            "4002, INTERNAL_ERROR,     false",
            "4003, FLOW_CONTROL_ERROR, false",
            "4004, REFUSED,            false",
            "4005, CANCELLED,          false",
            "4006, AUTH_FAILED,        false",
            "4007, FRAME_SIZE_ERROR,   false",
            "4008, LIMIT_EXCEEDED,     false",
            "4009, TIMEOUT,            false",
            "4010, VERSION_MISMATCH,   false",
            "4011, SHUTDOWN,           false",
            "4012, INTERNAL_ERROR,     false", // beyond the wire codes
            "4999, INTERNAL_ERROR,     false",
    })
    void closeCodeToCause(int code, ErrorCode cause, boolean orderly) {
        assertEquals(cause, WebSocketCloseCodes.errorCodeFor(code));
        assertEquals(orderly, WebSocketCloseCodes.isOrderly(code));
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyCause_survivesTheRoundTrip_fromEitherEnd(ErrorCode cause) {
        assertEquals(cause, WebSocketCloseCodes.errorCodeFor(WebSocketCloseCodes.closeCodeFor(cause, false)), "server");
        assertEquals(cause, WebSocketCloseCodes.errorCodeFor(WebSocketCloseCodes.closeCodeFor(cause, true)), "client");
    }
}
