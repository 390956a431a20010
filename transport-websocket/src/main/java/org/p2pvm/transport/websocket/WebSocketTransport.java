package org.p2pvm.transport.websocket;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.p2pvm.ErrorCode;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.engine.tls.TlsContexts;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.transport.websocket.internal.ClientTlsContext;
import org.p2pvm.transport.websocket.internal.EmbeddedServer;
import org.p2pvm.transport.websocket.internal.JdkClientCarrier;
import org.p2pvm.transport.websocket.internal.TunnelRegistry;
import org.p2pvm.transport.websocket.internal.WriteGauge;
import org.p2pvm.transport.websocket.internal.WsEndpoint;
import org.p2pvm.transport.websocket.internal.WsSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tunnels over WebSocket, for peers that can only speak HTTP(S): behind proxies, load balancers, or
 * where only port 80/443 is open. Registered as {@code websocket}.
 *
 * <h2>URIs</h2>
 * {@code ws://HOST:PORT/PATH} (path default {@code /p2pvm}), and {@code tcp://HOST:PORT} as shorthand
 * for {@code ws://HOST:PORT/p2pvm} ({@code wss://} when {@link TunnelOptions#tls()} is set), for both
 * {@link #bind} and {@link #connect}. {@code wss://} binds with the tunnel's {@link TlsOptions}
 * (a server key is required: "TLS settings required" otherwise) and dials with them, or with the
 * JDK's default trust when none are set. The client verifies the server's certificate against the dialled
 * host, or {@link TlsOptions#serverName()} when set (also sent as SNI), unless the options turn that off
 * explicitly ({@code insecureSkipHostnameVerification}, {@code insecureTrustAll}: logged as a WARNING).
 *
 * <h2>Server</h2>
 * {@link #bind} starts an embedded Undertow listener whose only route is the endpoint path
 * (see {@link P2pvmWebSocketHandler}, which an application can also mount in its own Undertow
 * server). Each tunnel runs on its connection's XNIO I/O thread.
 *
 * <h2>Client</h2>
 * {@link #connect} uses the JDK's {@link java.net.http.WebSocket} (reasons in
 * {@link JdkClientCarrier}); tunnels run on a {@link org.p2pvm.engine.SerialExecutor} each, over a
 * pool of {@link TransportConfig#effectiveIoThreads()} daemon threads that the HTTP client uses too.
 *
 * <h2>Wire</h2>
 * Subprotocol {@value P2pvmWebSocketHandler#SUBPROTOCOL}, checked on both ends. Binary messages
 * only, one engine batch per message; the byte stream is their concatenation (PROTOCOL.md §1).
 * Close codes: {@link WebSocketCloseCodes}.
 *
 * <h2>Properties</h2>
 * {@code websocket.header.NAME=VALUE} (client request headers, e.g. {@code Authorization}),
 * {@code websocket.allowedOrigins} (server Origin check), {@code websocket.maxMessageBytes},
 * {@code websocket.connectTimeoutMillis}, {@code websocket.closeTimeoutMillis}; see
 * {@link WsSettings}.
 *
 * <p>Thread-safe.
 */
public final class WebSocketTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);

    private final TransportConfig config;
    private final WsSettings settings;
    private final String threadPrefix;
    private final WriteGauge gauge = new WriteGauge();
    private final TunnelRegistry clientTunnels = new TunnelRegistry();
    private final Set<TransportServer> servers = ConcurrentHashMap.newKeySet();
    private ExecutorService clientPool;
    private HttpClient httpClient;
    /**
     * HTTP clients by TLS settings (identity), the most recently used few: an application that
     * builds new TlsOptions per connect must not pin one client (and its selector thread) each.
     */
    private final Map<TlsOptions, HttpClient> tlsClients = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TlsOptions, HttpClient> eldest) {
            return size() > 8;
        }
    };
    private volatile boolean closed;

    /**
     * @throws IllegalArgumentException when a {@code websocket.*} property is malformed
     */
    public WebSocketTransport(TransportConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.settings = WsSettings.from(config);
        this.threadPrefix = config.threadNamePrefix() != null ? config.threadNamePrefix() : "p2pvm-websocket";
    }

    @Override
    public String name() {
        return WebSocketTransportProvider.NAME;
    }

    // ---- client -------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Tunnel> connect(URI peer, TunnelOptions options) {
        Objects.requireNonNull(options, "options");
        WsEndpoint endpoint;
        HttpClient http;
        try {
            checkOpen();
            endpoint = WsEndpoint.parse(peer).withTls(peer, options.tls() != null);
            http = client(options.tls());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Tunnel> result = new CompletableFuture<>();
        JdkClientCarrier carrier = new JdkClientCarrier(pool(), endpoint, gauge,
                settings.maxMessageBytes(options), settings.closeTimeout(),
                c -> startTunnel(c, endpoint, options, result));
        WebSocket.Builder builder = http.newWebSocketBuilder()
                .subprotocols(P2pvmWebSocketHandler.SUBPROTOCOL)
                .connectTimeout(settings.connectTimeout());
        try {
            for (Map.Entry<String, String> h : settings.headers().entrySet()) {
                builder.header(h.getKey(), h.getValue());
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "websocket.header: " + e.getMessage() + " (the JDK WebSocket client sets that header itself)", e));
        }
        builder.buildAsync(endpoint.uri(), carrier).whenComplete((ws, e) -> {
            if (e != null) {
                result.completeExceptionally(connectFailure(endpoint, e));
            }
        });
        return result;
    }

    /** On the carrier's executor, once the WebSocket is open: check the subprotocol, start the engine. */
    private void startTunnel(JdkClientCarrier carrier, WsEndpoint endpoint, TunnelOptions options,
            CompletableFuture<Tunnel> result) {
        String selected = carrier.webSocket().getSubprotocol();
        if (!P2pvmWebSocketHandler.SUBPROTOCOL.equals(selected)) {
            carrier.webSocket().abort();
            result.completeExceptionally(new IOException("websocket connect to " + endpoint.uri()
                    + ": the server did not select subprotocol " + P2pvmWebSocketHandler.SUBPROTOCOL
                    + (selected == null || selected.isEmpty() ? " (it selected none)" : " (it selected '" + selected + "')")
                    + "; is this a p2pvm endpoint?"));
            return;
        }
        if (closed) {
            carrier.webSocket().abort();
            result.completeExceptionally(new IOException("websocket transport closed"));
            return;
        }
        TunnelEngine.TunnelSession session;
        try {
            session = TunnelEngine.open(carrier, options, null);
        } catch (RuntimeException e) {
            carrier.webSocket().abort();
            result.completeExceptionally(new IOException("websocket connect to " + endpoint.uri()
                    + ": the tunnel engine failed to start: " + e, e));
            return;
        }
        clientTunnels.add(session.tunnel(), carrier);
        carrier.start(session);
        session.handshake().whenComplete((t, e) -> {
            if (e != null) {
                result.completeExceptionally(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            } else {
                result.complete(t);
            }
        });
    }

    private static Throwable connectFailure(WsEndpoint endpoint, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String what = "websocket connect to " + endpoint.uri() + ": ";
        if (cause instanceof IllegalArgumentException) {
            return new IllegalArgumentException(what + cause.getMessage()
                    + " (check the websocket.header.* properties: the JDK client sets some headers itself)", cause);
        }
        if (cause instanceof WebSocketHandshakeException) {
            int status = ((WebSocketHandshakeException) cause).getResponse().statusCode();
            String hint = status == 403 ? " (forbidden: is this client's Origin allowed by the server?)"
                    : status == 400 ? " (bad request: a p2pvm endpoint? it needs subprotocol "
                            + P2pvmWebSocketHandler.SUBPROTOCOL + ")"
                    : status == 404 ? " (not found: check the path)"
                    : status == 101 ? " (the upgrade response was not valid)" : "";
            return new IOException(what + "the server answered HTTP " + status + hint, cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return new IOException(what + "timed out after " + "the connect timeout", cause);
        }
        if (cause instanceof ConnectException) {
            return new IOException(what + "connection refused", cause);
        }
        if (!endpoint.secure() && String.valueOf(cause.getMessage()).startsWith("parsing HTTP/1.1 status line")) {
            // a TLS server answers a plaintext request with a TLS alert, which the client reads as a
            // garbled status line; say so rather than leave the user with the parser's complaint
            return new IOException(what + "the server's answer is not HTTP; is it a wss:// (TLS) server? (" + cause
                    + ")", cause);
        }
        return new IOException(what + cause, cause);
    }

    private synchronized ExecutorService pool() {
        if (clientPool == null) {
            AtomicInteger n = new AtomicInteger();
            ThreadFactory factory = r -> {
                Thread t = new Thread(r, threadPrefix + "-client-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            };
            clientPool = Executors.newFixedThreadPool(config.effectiveIoThreads(), factory);
        }
        return clientPool;
    }

    /**
     * The HTTP client for {@code tls} settings: one plain client (its {@code wss://} uses the JDK's
     * default trust), and one per {@link TlsOptions} object in use, all on the client pool. A client
     * dropped from the cache stays alive (the JDK 17 client cannot be closed) until its WebSockets end.
     */
    private synchronized HttpClient client(TlsOptions tls) {
        if (tls == null) {
            if (httpClient == null) {
                httpClient = HttpClient.newBuilder().executor(pool()).connectTimeout(settings.connectTimeout()).build();
            }
            return httpClient;
        }
        return tlsClients.computeIfAbsent(tls, o -> {
            if (o.trustAll()) {
                LOG.warn("WARNING: websocket TLS with insecureTrustAll: the server's certificate is NOT verified;"
                        + " the tunnel is encrypted but not authenticated (trials only)");
            } else if (!o.hostnameVerification()) {
                LOG.warn("WARNING: websocket TLS with insecureSkipHostnameVerification: the server's host name is"
                        + " NOT verified; any certificate of a trusted CA is accepted (trials only)");
            }
            // the JDK client rewrites SNI and endpoint identification on every engine; this context
            // puts the options' server name and hostname verification back (ClientTlsContext)
            SSLContext ctx = ClientTlsContext.wrap(TlsContexts.context(o), o);
            return HttpClient.newBuilder().executor(pool()).connectTimeout(settings.connectTimeout())
                    .sslContext(ctx)
                    .sslParameters(TlsContexts.parameters(o, true, null, ctx.getDefaultSSLParameters()))
                    .build();
        });
    }

    // ---- server -------------------------------------------------------------------------------

    @Override
    public CompletableFuture<TransportServer> bind(URI local, TunnelOptions options, Consumer<? super Tunnel> onTunnel) {
        Objects.requireNonNull(options, "options");
        try {
            checkOpen();
            WsEndpoint endpoint = WsEndpoint.parse(local).withTls(local, options.tls() != null);
            if (endpoint.secure() && (options.tls() == null || !options.tls().hasKeyMaterial())) {
                throw new IllegalArgumentException("cannot bind " + local + ": TLS settings required: wss:// needs"
                        + " TunnelOptions.tls() with a server key (keyStore, pemKey or sslContext)");
            }
            P2pvmWebSocketHandler.Builder b = P2pvmWebSocketHandler.builder(options, onTunnel)
                    .allowedOrigins(settings.allowedOrigins())
                    .maxMessageBytes(settings.maxMessageBytes(options))
                    .closeTimeout(settings.closeTimeout())
                    .writeGauge(gauge);
            P2pvmWebSocketHandler handler = b.build();
            EmbeddedServer server = EmbeddedServer.start(endpoint, options.tls(), handler, config.effectiveIoThreads(),
                    threadPrefix + "-server", handler::tunnels, handler::closeAsync);
            servers.add(server);
            server.closed().whenComplete((r, e) -> servers.remove(server));
            LOG.debug("websocket transport listening on {}", server.uri());
            return CompletableFuture.completedFuture(server);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("websocket transport is closed");
        }
    }

    /** Bytes held by this transport's carriers now and at most (for the backpressure tests). */
    WriteGauge writeGauge() {
        return gauge;
    }

    /**
     * Closes every server and client tunnel (GOAWAY SHUTDOWN, close code 1001), waiting at most the
     * close timeout for them; client tunnels still draining then lose their links, and the client
     * threads are released. Servers finish closing in the background (at most the drain timeout).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Duration patience = settings.closeTimeout();
        CompletableFuture<Void> all = CompletableFuture.allOf(
                clientTunnels.closeAll(ErrorCode.SHUTDOWN, "transport closed", patience),
                CompletableFuture.allOf(servers.stream().map(TransportServer::closeAsync)
                        .toArray(CompletableFuture<?>[]::new)));
        try {
            all.get(patience.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("websocket transport close: {}", e.toString());
        }
        // tunnels still draining run on the client pool: drop their links before stopping it
        try {
            clientTunnels.abortAll(Duration.ofSeconds(1)).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("websocket transport abort: {}", e.toString());
        }
        synchronized (this) {
            if (clientPool != null) {
                clientPool.shutdown();
            }
        }
    }
}
