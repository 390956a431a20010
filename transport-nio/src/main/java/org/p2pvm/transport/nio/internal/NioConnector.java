package org.p2pvm.transport.nio.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.engine.TunnelEngine.TunnelSession;

/**
 * One dial: connects a non-blocking socket on its loop (OP_CONNECT, bounded by
 * {@code connectTimeoutMillis}), then starts the engine on a {@link NioCarrier} and completes with the
 * tunnel once the handshake succeeded. Every failure names the peer. Cancelling the returned future
 * abandons the dial (the socket, or the tunnel still in its handshake, is closed).
 *
 * <p>Loop thread only, after {@link #connect} (which may be called from any thread).
 */
public final class NioConnector implements SelectionHandler {
    private final NioLoop loop;
    private final SocketChannel channel;
    private final URI peer;
    private final InetSocketAddress address;
    private final TunnelOptions options;
    private final NioSettings settings;
    private final Consumer<Tunnel> onTunnelCreated;
    private final CompletableFuture<Tunnel> result = new CompletableFuture<>();
    private NioLoop.Timer timer;
    private SelectionKey key;
    private boolean connected;
    private Tunnel tunnel;

    private NioConnector(NioLoop loop, SocketChannel channel, URI peer, InetSocketAddress address,
            TunnelOptions options, NioSettings settings, Consumer<Tunnel> onTunnelCreated) {
        this.loop = loop;
        this.channel = channel;
        this.peer = peer;
        this.address = address;
        this.options = options;
        this.settings = settings;
        this.onTunnelCreated = onTunnelCreated;
    }

    /**
     * Dials {@code address} on {@code loop}.
     *
     * @param onTunnelCreated called on the loop with the tunnel as soon as the engine started on it
     *     (before the handshake), so the transport can close it on shutdown
     */
    public static CompletableFuture<Tunnel> connect(NioLoop loop, URI peer, InetSocketAddress address,
            TunnelOptions options, NioSettings settings, Consumer<Tunnel> onTunnelCreated) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(NioSockets.connectFailed(peer, e));
        }
        NioConnector c = new NioConnector(loop, ch, peer, address, options, settings, onTunnelCreated);
        try {
            NioSockets.configure(ch, settings);
            loop.execute(c::start);
        } catch (IOException e) {
            NioSockets.closeQuietly(ch);
            return CompletableFuture.failedFuture(NioSockets.connectFailed(peer, e));
        } catch (RejectedExecutionException e) {
            NioSockets.closeQuietly(ch);
            return CompletableFuture.failedFuture(NioSockets.connectFailed(peer,
                    new IOException("the nio transport is closed")));
        }
        c.result.whenComplete((t, e) -> {
            if (c.result.isCancelled()) {
                try {
                    loop.execute(c::abandon);
                } catch (RejectedExecutionException ignored) {
                    // the loop closed the socket on its way out
                }
            }
        });
        return c.result;
    }

    private void start() {
        if (result.isDone()) {
            NioSockets.closeQuietly(channel);
            return;
        }
        try {
            key = loop.register(channel, 0, this);
            if (channel.connect(address)) {
                connected();
                return;
            }
            key.interestOps(SelectionKey.OP_CONNECT);
            long ms = settings.connectTimeoutMillis();
            timer = loop.schedule(() -> fail(new SocketTimeoutException("connect timed out after " + ms + " ms")),
                    ms, TimeUnit.MILLISECONDS);
        } catch (IOException | RuntimeException e) {
            // RuntimeException: UnresolvedAddressException, UnsupportedAddressTypeException
            fail(e);
        }
    }

    @Override
    public void ready(SelectionKey k) {
        if (connected || !k.isConnectable()) {
            return;
        }
        try {
            if (channel.finishConnect()) {
                connected();
            }
        } catch (IOException e) {
            fail(e);
        }
    }

    @Override
    public void loopClosing() {
        fail(new IOException("the nio transport shut down while connecting"));
    }

    private void connected() {
        connected = true;
        if (timer != null) {
            timer.cancel();
        }
        if (result.isDone()) {
            NioSockets.closeQuietly(channel);
            return;
        }
        NioCarrier carrier;
        try {
            carrier = NioCarrier.open(loop, channel, true, settings);
        } catch (IOException e) {
            fail(e);
            return;
        }
        TunnelSession session;
        try {
            session = TunnelEngine.open(carrier, options, null);
        } catch (RuntimeException e) {
            carrier.close(false);
            result.completeExceptionally(new IOException("cannot start a tunnel to " + peer + ": "
                    + NioSockets.describe(e), e));
            return;
        }
        tunnel = session.tunnel();
        onTunnelCreated.accept(tunnel);
        carrier.attach(session);
        session.handshake().whenComplete((t, err) -> {
            if (err != null) {
                result.completeExceptionally(NioSockets.handshakeFailed(peer, err));
            } else if (!result.complete(t)) {
                t.close(ErrorCode.CANCELLED, "dial abandoned");
            }
        });
    }

    private void abandon() {
        if (tunnel != null) {
            tunnel.close(ErrorCode.CANCELLED, "dial abandoned");
        } else if (!connected) {
            if (timer != null) {
                timer.cancel();
            }
            NioSockets.closeQuietly(channel);
        }
    }

    private void fail(Throwable cause) {
        if (connected && tunnel != null) {
            return; // the carrier owns the socket now
        }
        if (timer != null) {
            timer.cancel();
        }
        if (key != null) {
            key.cancel();
        }
        NioSockets.closeQuietly(channel);
        result.completeExceptionally(NioSockets.connectFailed(peer, cause));
    }
}
