package org.p2pvm.transport.websocket.internal;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.ResponseCodeHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.engine.tls.TlsContexts;
import org.p2pvm.spi.TransportServer;
import org.xnio.Options;
import org.xnio.Sequence;
import org.xnio.SslClientAuthMode;

/**
 * The websocket transport's own HTTP server: an embedded Undertow listener whose only route is the
 * p2pvm WebSocket endpoint at the bind URI's path (404 elsewhere); HTTPS ({@code wss://}) with the
 * tunnel's {@link TlsOptions} (protocols and client authentication applied).
 *
 * <p>Threads: Undertow's XNIO I/O threads (named after the transport's thread prefix) run the HTTP
 * parsing, the upgrade and every tunnel accepted here; one worker thread is kept because Undertow
 * requires a worker pool, though nothing is dispatched to it. Thread-safe.
 */
public final class EmbeddedServer implements TransportServer {
    private final Undertow undertow;
    private final InetSocketAddress local;
    private final URI uri;
    private final Supplier<Collection<Tunnel>> tunnels;
    private final Supplier<CompletableFuture<Void>> closeHandler;
    private volatile CompletableFuture<Void> closing;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private EmbeddedServer(Undertow undertow, InetSocketAddress local, URI uri,
            Supplier<Collection<Tunnel>> tunnels, Supplier<CompletableFuture<Void>> closeHandler) {
        this.undertow = undertow;
        this.local = local;
        this.uri = uri;
        this.tunnels = tunnels;
        this.closeHandler = closeHandler;
    }

    /**
     * Binds and starts the server.
     *
     * @param endpoint the bind endpoint (port 0 picks a free port)
     * @param p2pvm the endpoint handler mounted at {@code endpoint.path()}
     * @param tunnels the handler's open tunnels
     * @param closeHandler closes the handler's tunnels gracefully
     * @throws IOException when the address cannot be bound, naming it
     */
    public static EmbeddedServer start(WsEndpoint endpoint, TlsOptions tls, HttpHandler p2pvm, int ioThreads,
            String threadName, Supplier<Collection<Tunnel>> tunnels, Supplier<CompletableFuture<Void>> closeHandler)
            throws IOException {
        HttpHandler root = Handlers.path(ResponseCodeHandler.HANDLE_404).addExactPath(endpoint.path(), p2pvm);
        Undertow.Builder builder = Undertow.builder();
        if (endpoint.secure()) {
            builder.addHttpsListener(endpoint.port(), endpoint.host(), TlsContexts.context(tls))
                    .setSocketOption(Options.SSL_ENABLED_PROTOCOLS, Sequence.of(tls.protocols()))
                    .setSocketOption(Options.SSL_CLIENT_AUTH_MODE, clientAuth(tls.clientAuth()));
        } else {
            builder.addHttpListener(endpoint.port(), endpoint.host());
        }
        Undertow undertow = builder
                .setIoThreads(ioThreads)
                .setWorkerThreads(1)
                .setWorkerOption(Options.WORKER_NAME, threadName)
                .setHandler(root)
                .build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException("cannot bind " + endpoint.uri() + ": " + cause.getMessage(), cause);
        }
        InetSocketAddress bound = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
        WsEndpoint actual = endpoint.withPort(bound.getPort());
        return new EmbeddedServer(undertow, bound, actual.uri(), tunnels, closeHandler);
    }

    private static SslClientAuthMode clientAuth(TlsOptions.ClientAuth mode) {
        switch (mode) {
            case REQUIRED:
                return SslClientAuthMode.REQUIRED;
            case OPTIONAL:
                return SslClientAuthMode.REQUESTED;
            default:
                return SslClientAuthMode.NOT_REQUESTED;
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public Collection<Tunnel> tunnels() {
        return tunnels.get();
    }

    @Override
    public synchronized CompletableFuture<Void> closeAsync() {
        if (closing == null) {
            // stop() waits for the XNIO threads, so it must not run on one of them
            closing = closeHandler.get().handleAsync((r, e) -> {
                undertow.stop();
                closed.complete(null);
                return null;
            }, ForkJoinPool.commonPool());
        }
        return closing;
    }

    /** Completes once the server is closed (without starting a close). */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    @Override
    public String toString() {
        return "websocket server " + uri;
    }
}
