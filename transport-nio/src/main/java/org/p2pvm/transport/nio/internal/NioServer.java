package org.p2pvm.transport.nio.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.engine.tls.TlsContexts;
import org.p2pvm.engine.TunnelEngine.TunnelSession;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening socket of the nio transport and the tunnels accepted on it.
 *
 * <p>The server socket is registered (OP_ACCEPT) with one loop, the accept loop. Each accepted socket
 * is handed to the next loop of the group through that loop's task queue (its {@code execute} wakes
 * the selector); there the carrier is created, the engine started and the tunnel tracked until it
 * closes. An accept error other than a closed socket (e.g. too many open files) is logged and
 * accepting pauses for a second rather than spinning.
 *
 * <p>Thread-safe. {@code lock} guards {@code closed} and {@code handovers} (sockets accepted but not
 * yet tracked as a tunnel), so that a tunnel is either closed by {@link #closeAsync} or refused by
 * the loop that starts it, never forgotten. Never held while calling out.
 */
public final class NioServer implements TransportServer, SelectionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(NioServer.class);
    private static final int ACCEPTS_PER_EVENT = 64;
    private static final long ACCEPT_PAUSE_MILLIS = 1000;

    private final NioLoopGroup group;
    private final NioLoop acceptLoop;
    private final ServerSocketChannel serverChannel;
    private final InetSocketAddress localAddress;
    private final URI uri;
    private final TunnelOptions options;
    /** The accept backlog (PROTOCOL.md §10): carriers of this server still in the handshake. */
    private final org.p2pvm.engine.HandshakeGate handshakes;
    private final Consumer<? super Tunnel> onTunnel;
    private final NioSettings settings;
    /** Built once at bind; null without TLS. */
    private final SSLContext tlsContext;
    private final Set<Tunnel> live = ConcurrentHashMap.newKeySet();
    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> channelClosed = new CompletableFuture<>();
    private final CompletableFuture<Void> tunnelsClosed = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = CompletableFuture.allOf(channelClosed, tunnelsClosed);
    private final Object lock = new Object();
    private boolean closed;
    private int handovers;
    /** Accept loop only. */
    private SelectionKey key;

    private NioServer(NioLoopGroup group, ServerSocketChannel serverChannel, TunnelOptions options,
            Consumer<? super Tunnel> onTunnel, NioSettings settings, SSLContext tlsContext) throws IOException {
        this.tlsContext = tlsContext;
        this.group = group;
        this.acceptLoop = group.next();
        this.serverChannel = serverChannel;
        this.localAddress = (InetSocketAddress) serverChannel.getLocalAddress();
        this.uri = Transports.tcpUri(localAddress);
        this.options = options;
        this.handshakes = org.p2pvm.engine.HandshakeGate.of(options);
        this.onTunnel = onTunnel;
        this.settings = settings;
    }

    /**
     * Binds {@code address} at once (so "address in use" fails right here, naming {@code requested}) and
     * starts accepting on one of the group's loops.
     */
    public static CompletableFuture<NioServer> bind(NioLoopGroup group, URI requested, InetSocketAddress address,
            TunnelOptions options, Consumer<? super Tunnel> onTunnel, NioSettings settings) {
        SSLContext tlsContext = null;
        if (options.tls() != null) {
            if (!options.tls().hasKeyMaterial() && options.tls().sslContext() == null) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("cannot bind " + requested
                        + " with TLS: an acceptor needs a certificate and its key (TlsOptions.pemKey or keyStore)"));
            }
            try {
                tlsContext = TlsContexts.context(options.tls());
            } catch (IllegalArgumentException e) {
                return CompletableFuture.failedFuture(new IllegalArgumentException("cannot bind " + requested
                        + ": " + e.getMessage(), e));
            }
        }
        ServerSocketChannel ch = null;
        NioServer server;
        try {
            ch = ServerSocketChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (settings.receiveBufferSize() > 0) {
                // set before bind so that accepted sockets may use a window above 64 KiB
                ch.setOption(StandardSocketOptions.SO_RCVBUF, settings.receiveBufferSize());
            }
            ch.configureBlocking(false);
            ch.bind(address, settings.backlog());
            server = new NioServer(group, ch, options, onTunnel, settings, tlsContext);
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                NioSockets.closeQuietly(ch);
            }
            return CompletableFuture.failedFuture(NioSockets.bindFailed(requested, e));
        }
        CompletableFuture<NioServer> result = new CompletableFuture<>();
        ServerSocketChannel bound = ch;
        try {
            server.acceptLoop.execute(() -> {
                try {
                    server.key = server.acceptLoop.register(bound, SelectionKey.OP_ACCEPT, server);
                    result.complete(server);
                } catch (ClosedChannelException e) {
                    result.completeExceptionally(NioSockets.bindFailed(requested, e));
                }
            });
        } catch (RejectedExecutionException e) {
            NioSockets.closeQuietly(ch);
            result.completeExceptionally(NioSockets.bindFailed(requested, new IOException("the nio transport is closed")));
        }
        return result;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public Collection<Tunnel> tunnels() {
        return List.copyOf(open);
    }

    /** Completes once the socket is closed and every tunnel of this server has closed. */
    public CompletableFuture<Void> terminationFuture() {
        return terminated;
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        List<Tunnel> snapshot;
        synchronized (lock) {
            if (closed) {
                return terminated;
            }
            closed = true;
            snapshot = new ArrayList<>(live);
        }
        LOG.debug("closing nio server {} with {} tunnels", uri, snapshot.size());
        try {
            acceptLoop.execute(this::closeChannel);
        } catch (RejectedExecutionException e) {
            closeChannel();
        }
        for (Tunnel t : snapshot) {
            closeTunnel(t);
        }
        checkTerminated();
        return terminated;
    }

    @Override
    public void ready(SelectionKey k) {
        for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
            SocketChannel ch;
            try {
                ch = serverChannel.accept();
            } catch (IOException e) {
                acceptFailed(e);
                return;
            }
            if (ch == null) {
                return;
            }
            handOver(ch);
        }
    }

    @Override
    public void loopClosing() {
        closeAsync();
        closeChannel();
    }

    private void acceptFailed(IOException e) {
        synchronized (lock) {
            if (closed) {
                return;
            }
        }
        if (e instanceof ClosedChannelException) {
            return;
        }
        LOG.warn("accepting on {} failed ({}); pausing accepts for {} ms", uri, e.toString(), ACCEPT_PAUSE_MILLIS);
        key.interestOps(0);
        acceptLoop.schedule(() -> {
            if (key.isValid()) {
                key.interestOps(SelectionKey.OP_ACCEPT);
            }
        }, ACCEPT_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void handOver(SocketChannel ch) {
        try {
            NioSockets.configure(ch, settings);
        } catch (IOException e) {
            LOG.debug("dropping a socket accepted on {}: {}", uri, e.toString());
            NioSockets.closeQuietly(ch);
            return;
        }
        synchronized (lock) {
            if (closed) {
                NioSockets.closeQuietly(ch);
                return;
            }
            handovers++;
        }
        NioLoop target = group.next();
        try {
            target.execute(() -> startTunnel(target, ch));
        } catch (RejectedExecutionException e) {
            NioSockets.closeQuietly(ch);
            handoverDone(null);
        }
    }

    /** On {@code loop}: the carrier, the engine, tracking. */
    private void startTunnel(NioLoop loop, SocketChannel ch) {
        boolean refuse;
        synchronized (lock) {
            refuse = closed;
            if (refuse) {
                handovers--;
            }
        }
        if (refuse) {
            NioSockets.closeQuietly(ch);
            checkTerminated();
            return;
        }
        NioCarrier carrier;
        try {
            SSLEngine tls = tlsContext == null ? null : TlsContexts.engine(tlsContext, options.tls(), false, null, 0);
            carrier = NioCarrier.open(loop, ch, false, settings, tls);
        } catch (IOException | RuntimeException e) {
            LOG.debug("dropping a socket accepted on {}: {}", uri, e.toString());
            NioSockets.closeQuietly(ch);
            handoverDone(null);
            return;
        }
        TunnelSession session;
        try {
            session = TunnelEngine.accept(carrier, options, this::tunnelOpened, handshakes);
        } catch (RuntimeException e) {
            LOG.error("cannot start a tunnel on {}", carrier, e);
            carrier.close(false);
            handoverDone(null);
            return;
        }
        Tunnel t = session.tunnel();
        boolean late = handoverDone(t);
        t.closeFuture().whenComplete((reason, err) -> tunnelClosed(t));
        carrier.attach(session);
        session.handshake().whenComplete((ok, err) -> {
            if (err != null) {
                LOG.info("tunnel from {} on {} failed its handshake: {}", carrier.remoteAddress(), uri,
                        NioSockets.describe(err.getCause() != null ? err.getCause() : err));
            }
        });
        if (late) {
            closeTunnel(t);
        }
    }

    /** @return whether the server closed meanwhile (the caller closes the tunnel) */
    private boolean handoverDone(Tunnel t) {
        boolean late;
        synchronized (lock) {
            handovers--;
            if (t != null) {
                live.add(t);
            }
            late = closed;
        }
        checkTerminated();
        return late;
    }

    private void tunnelOpened(Tunnel t) {
        open.add(t); // tracked in live already: tunnelClosed removes it again
        try {
            onTunnel.accept(t);
        } catch (RuntimeException e) {
            LOG.error("the onTunnel callback of {} failed for the tunnel from {}; closing the tunnel", uri,
                    t.carrierRemoteAddress(), e);
            // after the engine has finished opening it
            t.executor().execute(() -> t.close(ErrorCode.INTERNAL_ERROR, "the server failed to set up the tunnel"));
        }
    }

    private void tunnelClosed(Tunnel t) {
        live.remove(t);
        open.remove(t);
        checkTerminated();
    }

    private void closeTunnel(Tunnel t) {
        try {
            t.close(ErrorCode.SHUTDOWN, "server shutting down");
        } catch (RuntimeException e) {
            LOG.debug("closing a tunnel of {} failed", uri, e);
        }
    }

    private void checkTerminated() {
        synchronized (lock) {
            if (!closed || handovers > 0 || !live.isEmpty()) {
                return;
            }
        }
        tunnelsClosed.complete(null);
    }

    private void closeChannel() {
        if (key != null) {
            key.cancel();
        }
        NioSockets.closeQuietly(serverChannel);
        if (acceptLoop.inLoop()) {
            // until its key is deregistered the socket still listens (and the kernel still accepts)
            acceptLoop.flushCancelledKeys();
        }
        channelClosed.complete(null);
    }

    @Override
    public String toString() {
        return "nio server " + uri;
    }
}
