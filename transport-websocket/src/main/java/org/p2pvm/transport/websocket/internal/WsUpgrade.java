package org.p2pvm.transport.websocket.internal;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.HttpUpgradeListener;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The server half of the RFC 6455 opening handshake (§4.2) on an Undertow exchange, without
 * Undertow's WebSocket channel: checks the request as Undertow's {@code Hybi13Handshake} does (GET,
 * {@code Sec-WebSocket-Key}, {@code Sec-WebSocket-Version: 13}), answers 101 with
 * {@code Sec-WebSocket-Accept} and the selected subprotocol, and hands the upgraded connection to a
 * listener. Origin and subprotocol policy stay with the caller. Stateless and thread-safe.
 */
public final class WsUpgrade {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WsUpgrade() {
    }

    /** Whether {@code exchange} is a version 13 WebSocket upgrade request (else: not ours to upgrade). */
    public static boolean matches(HttpServerExchange exchange) {
        if (!Methods.GET.equals(exchange.getRequestMethod())) {
            return false;
        }
        String key = exchange.getRequestHeaders().getFirst(Headers.SEC_WEB_SOCKET_KEY);
        String version = exchange.getRequestHeaders().getFirst(Headers.SEC_WEB_SOCKET_VERSION);
        return key != null && "13".equals(version == null ? null : version.trim());
    }

    /** {@code Sec-WebSocket-Accept} for a request's {@code Sec-WebSocket-Key} (§4.2.2). */
    public static String accept(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((key.trim() + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JDK", e);
        }
    }

    /**
     * Answers 101 Switching Protocols and calls {@code listener} on the connection's I/O thread once
     * the response is out. Only after {@link #matches} returned true.
     *
     * @throws IllegalStateException when the connection cannot be upgraded (HTTP/2)
     */
    public static void upgrade(HttpServerExchange exchange, String subprotocol, HttpUpgradeListener listener) {
        String key = exchange.getRequestHeaders().getFirst(Headers.SEC_WEB_SOCKET_KEY);
        exchange.getResponseHeaders().put(Headers.SEC_WEB_SOCKET_ACCEPT, accept(key));
        exchange.getResponseHeaders().put(Headers.SEC_WEB_SOCKET_PROTOCOL, subprotocol);
        exchange.upgradeChannel("websocket", listener);
        exchange.endExchange();
    }
}
