package org.p2pvm.transport.websocket;

import io.undertow.connector.ByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import io.undertow.websockets.spi.WebSocketHttpExchange;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.transport.websocket.internal.AbstractWsCarrier;
import org.p2pvm.transport.websocket.internal.FrameCodecCarrier;
import org.p2pvm.transport.websocket.internal.TunnelRegistry;
import org.p2pvm.transport.websocket.internal.UndertowCarrier;
import org.p2pvm.transport.websocket.internal.WriteGauge;
import org.p2pvm.transport.websocket.internal.WsSettings;
import org.p2pvm.transport.websocket.internal.WsUpgrade;
import org.xnio.StreamConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Undertow {@link HttpHandler} that accepts p2pvm tunnels over WebSocket: mount it on one path of
 * an application's own Undertow server, next to its other routes, and every upgraded connection
 * becomes a tunnel carrier (the application owns the server, p2pvm owns the path):
 *
 * <pre>{@code
 * P2pvmWebSocketHandler p2pvm = P2pvmWebSocketHandler.builder(options, tunnel -> tunnel.install(echo))
 *         .allowedOrigins(Set.of("https://app.example.com"))
 *         .build();
 * Undertow server = Undertow.builder()
 *         .addHttpListener(8080, "0.0.0.0")
 *         .setHandler(Handlers.path().addPrefixPath("/api", api).addExactPath("/p2pvm", p2pvm))
 *         .build();
 * }</pre>
 *
 * <h2>Handshake</h2>
 * A request is answered, in this order: 503 while the handler is closed; 403 when it carries an
 * {@code Origin} that is not allowed (when allowed origins are configured); the {@code next} handler
 * (default: 426 Upgrade Required) when it is not a WebSocket upgrade; 400 when it does not offer the
 * subprotocol {@value #SUBPROTOCOL}; otherwise the RFC 6455 upgrade with {@value #SUBPROTOCOL}
 * selected. The p2pvm handshake (HELLO/AUTH, PROTOCOL.md §4) then runs inside the WebSocket.
 *
 * <h2>Frames</h2>
 * After the upgrade the connection speaks RFC 6455 frames through p2pvm's own codec
 * ({@code FrameCodecCarrier}), not Undertow's WebSocket channel, whose byte-at-a-time unmasking capped
 * client → server throughput. The system property {@value #SERVER_CODEC_PROPERTY}{@code =undertow}
 * selects Undertow's channel instead (kept for comparison; same behaviour, slower).
 *
 * <h2>Threading</h2>
 * {@link #handleRequest} runs on Undertow's I/O thread and does not block. Each tunnel's serial
 * executor is its connection's XNIO I/O thread; {@code onTunnel} runs there once the tunnel's
 * handshake succeeded, before any later frame is processed. {@link #tunnels()} and
 * {@link #closeAsync()} are thread-safe.
 *
 * <p>Close codes: see {@link WebSocketCloseCodes}.
 */
public final class P2pvmWebSocketHandler implements HttpHandler {
    /** The WebSocket subprotocol both ends must agree on. */
    public static final String SUBPROTOCOL = "p2pvm.v1";

    /** System property: {@code undertow} selects Undertow's WebSocket channel instead of p2pvm's codec. */
    public static final String SERVER_CODEC_PROPERTY = "p2pvm.websocket.serverCodec";

    private static final Logger LOG = LoggerFactory.getLogger(P2pvmWebSocketHandler.class);
    private static final HttpString SEC_WEBSOCKET_PROTOCOL = HttpString.tryFromString("Sec-WebSocket-Protocol");

    private final TunnelOptions options;
    /** The accept backlog of this endpoint (PROTOCOL.md §10): its carriers still in the handshake. */
    private final org.p2pvm.engine.HandshakeGate handshakes;
    private final Consumer<? super Tunnel> onTunnel;
    private final Set<String> allowedOrigins;
    private final long maxMessageBytes;
    private final Duration closeTimeout;
    private final HttpHandler next;
    private final WriteGauge gauge;
    private final TunnelRegistry tunnels = new TunnelRegistry();
    /** Undertow's WebSocket handshake and channel, when selected by {@link #SERVER_CODEC_PROPERTY}. */
    private final WebSocketProtocolHandshakeHandler undertowUpgrade;
    private volatile boolean closed;

    private P2pvmWebSocketHandler(Builder b) {
        this.options = b.options;
        this.handshakes = org.p2pvm.engine.HandshakeGate.of(b.options);
        this.onTunnel = b.onTunnel;
        this.allowedOrigins = b.allowedOrigins;
        this.maxMessageBytes = b.maxMessageBytes > 0 ? b.maxMessageBytes : WsSettings.defaultMaxMessageBytes(b.options);
        this.closeTimeout = b.closeTimeout;
        this.next = b.next;
        this.gauge = b.gauge != null ? b.gauge : new WriteGauge();
        WebSocketConnectionCallback callback = this::onConnect;
        this.undertowUpgrade = "undertow".equalsIgnoreCase(System.getProperty(SERVER_CODEC_PROPERTY, ""))
                ? new WebSocketProtocolHandshakeHandler(List.of(new Hybi13Handshake(Set.of(SUBPROTOCOL), false)),
                        callback, next)
                : null;
    }

    /**
     * Starts a handler.
     *
     * @param options the tunnel options of every tunnel accepted here
     * @param onTunnel called on the tunnel's executor once its handshake succeeded (install servers
     *     here); may be null
     */
    public static Builder builder(TunnelOptions options, Consumer<? super Tunnel> onTunnel) {
        return new Builder(options, onTunnel);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (closed) {
            reject(exchange, StatusCodes.SERVICE_UNAVAILABLE, "p2pvm endpoint is shutting down");
            return;
        }
        String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        if (origin != null && !allowedOrigins.isEmpty()
                && !allowedOrigins.contains(WsSettings.normaliseOrigin(origin))) {
            LOG.info("refused WebSocket from {}: origin '{}' is not allowed", exchange.getSourceAddress(), origin);
            reject(exchange, StatusCodes.FORBIDDEN, "origin not allowed");
            return;
        }
        String upgradeHeader = exchange.getRequestHeaders().getFirst(Headers.UPGRADE);
        if (upgradeHeader == null || !upgradeHeader.toLowerCase(Locale.ROOT).contains("websocket")) {
            next.handleRequest(exchange);
            return;
        }
        if (!offersSubprotocol(exchange.getRequestHeaders().get(SEC_WEBSOCKET_PROTOCOL))) {
            reject(exchange, StatusCodes.BAD_REQUEST,
                    "p2pvm endpoint: the WebSocket request must offer subprotocol " + SUBPROTOCOL);
            return;
        }
        if (undertowUpgrade != null) {
            undertowUpgrade.handleRequest(exchange);
            return;
        }
        if (!WsUpgrade.matches(exchange)) {
            next.handleRequest(exchange); // as Undertow's handshake handler does: not a version 13 upgrade
            return;
        }
        ByteBufferPool pool = exchange.getConnection().getByteBufferPool();
        WsUpgrade.upgrade(exchange, SUBPROTOCOL, (connection, ex) -> onUpgraded(connection, pool));
    }

    /** An upgraded connection, on its I/O thread: p2pvm's frame codec from here on. */
    private void onUpgraded(StreamConnection connection, ByteBufferPool pool) {
        startTunnel(new FrameCodecCarrier(connection, pool, gauge, maxMessageBytes, closeTimeout),
                () -> org.xnio.IoUtils.safeClose(connection));
    }

    private static boolean offersSubprotocol(Collection<String> headerValues) {
        if (headerValues == null) {
            return false;
        }
        for (String value : headerValues) {
            for (String token : value.split(",")) {
                if (token.trim().equals(SUBPROTOCOL)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void reject(HttpServerExchange exchange, int status, String text) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(text + "\n");
    }

    /** An upgraded connection, on its I/O thread. */
    private void onConnect(WebSocketHttpExchange exchange, WebSocketChannel channel) {
        if (!SUBPROTOCOL.equals(channel.getSubProtocol())) {
            // cannot happen after the checks above, unless a handshake is added that skips them
            LOG.warn("WebSocket from {} without subprotocol {}: closed", channel.getPeerAddress(), SUBPROTOCOL);
            org.xnio.IoUtils.safeClose(channel);
            return;
        }
        startTunnel(new UndertowCarrier(channel, gauge, maxMessageBytes, closeTimeout),
                () -> org.xnio.IoUtils.safeClose(channel));
    }

    private void startTunnel(AbstractWsCarrier carrier, Runnable closeConnection) {
        Runnable start = () -> {
            TunnelEngine.TunnelSession session;
            try {
                session = TunnelEngine.accept(carrier, options, tunnel -> {
                    if (onTunnel != null) {
                        onTunnel.accept(tunnel);
                    }
                }, handshakes);
            } catch (RuntimeException e) {
                LOG.error("tunnel engine failed to start for {}", carrier.remoteAddress(), e);
                closeConnection.run();
                return;
            }
            tunnels.add(session.tunnel(), carrier);
            carrier.start(session);
            if (closed) {
                session.tunnel().close(ErrorCode.SHUTDOWN, "server shutting down");
            }
            session.handshake().whenComplete((t, e) -> {
                if (e != null) {
                    LOG.info("tunnel handshake from {} failed: {}", carrier.remoteAddress(), e.getMessage());
                }
            });
        };
        if (carrier.inExecutor()) {
            start.run();
        } else {
            carrier.executor().execute(start);
        }
    }

    /** The tunnels open through this handler now. */
    public Collection<Tunnel> tunnels() {
        return tunnels.open();
    }

    /**
     * Refuses new requests (503), closes every tunnel of this handler gracefully (GOAWAY SHUTDOWN,
     * WebSocket close 1001) and completes when all are closed (at most after the drain timeout).
     */
    public CompletableFuture<Void> closeAsync() {
        closed = true;
        return tunnels.closeAll(ErrorCode.SHUTDOWN, "server shutting down",
                options.drainTimeout().plus(closeTimeout));
    }

    /** Bytes queued in this handler's carriers (for the backpressure tests). */
    WriteGauge writeGauge() {
        return gauge;
    }

    /** Builds a {@link P2pvmWebSocketHandler}; not thread-safe. */
    public static final class Builder {
        private final TunnelOptions options;
        private final Consumer<? super Tunnel> onTunnel;
        private Set<String> allowedOrigins = Set.of();
        private long maxMessageBytes;
        private Duration closeTimeout = WsSettings.defaults().closeTimeout();
        private HttpHandler next = exchange -> reject(exchange, StatusCodes.UPGRADE_REQUIRED,
                "p2pvm WebSocket endpoint: connect with a WebSocket client, subprotocol " + SUBPROTOCOL);
        private WriteGauge gauge;

        private Builder(TunnelOptions options, Consumer<? super Tunnel> onTunnel) {
            this.options = Objects.requireNonNull(options, "options");
            this.onTunnel = onTunnel;
        }

        /**
         * Origins allowed to open a tunnel, e.g. {@code https://app.example.com} (compared without
         * case and trailing slash). Empty (the default) or containing {@code *}: any origin. A request
         * without an {@code Origin} header (any non-browser client) is always accepted.
         */
        public Builder allowedOrigins(Collection<String> origins) {
            this.allowedOrigins = WsSettings.parseOrigins(String.join(",", origins));
            return this;
        }

        /**
         * The largest inbound WebSocket message (default: the larger of {@code maxBatchBytes} and
         * 16 MiB); a larger one closes the tunnel with FRAME_SIZE_ERROR (close code 1009).
         */
        public Builder maxMessageBytes(long bytes) {
            long min = 9 + TunnelOptions.MIN_FRAGMENT_SIZE;
            if (bytes < min) {
                throw new IllegalArgumentException("maxMessageBytes is " + bytes + " but must be at least " + min);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /** How long a close handshake waits for the peer's close frame (default 5 s). */
        public Builder closeTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("closeTimeout must be a positive duration, got " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /** Handles requests that are not WebSocket upgrades (default: 426 Upgrade Required). */
        public Builder next(HttpHandler handler) {
            this.next = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Shares a gauge of queued outbound bytes (the transport uses one for all its servers). */
        Builder writeGauge(WriteGauge shared) {
            this.gauge = shared;
            return this;
        }

        public P2pvmWebSocketHandler build() {
            return new P2pvmWebSocketHandler(this);
        }
    }
}
