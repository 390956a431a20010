package org.p2pvm.spi;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;

/**
 * A carrier library (nio, netty, grizzly, websocket, ...) that dials and accepts physical links and
 * opens a {@link Tunnel} on each. Obtained from {@link Transports#get(String)}.
 *
 * <p>Peers are named by URI: {@code tcp://host:port} for TCP transports, {@code ws://host:port/path}
 * or {@code wss://...} for WebSocket, {@code memory:name} for the in-memory transport. The
 * {@link InetSocketAddress} overloads mean {@code tcp://}.
 *
 * <p>A transport owns its threads; {@link #close()} closes every server and tunnel it made (graceful
 * GOAWAY SHUTDOWN) and stops the threads. Thread-safe.
 */
public interface Transport extends AutoCloseable {

    /** The name it is registered under, e.g. {@code "nio"}. */
    String name();

    /**
     * Dials {@code peer} and completes with the open tunnel after the handshake (§4). Fails with
     * {@link org.p2pvm.HandshakeException} (wrong token, timeout...) or {@link java.io.IOException}
     * (connection refused, unreachable) naming the peer.
     */
    CompletableFuture<Tunnel> connect(URI peer, TunnelOptions options);

    /** Dials {@code tcp://host:port}. */
    default CompletableFuture<Tunnel> connect(InetSocketAddress peer, TunnelOptions options) {
        return connect(Transports.tcpUri(peer), options);
    }

    /**
     * Accepts carriers on {@code local}; for each, opens a tunnel and calls {@code onTunnel} once its
     * handshake succeeded. {@code onTunnel} runs on the tunnel's executor before any frame after the
     * handshake is processed, so servers it installs see the peer's first OPEN. Failed handshakes are
     * logged and closed; they never reach {@code onTunnel}.
     */
    CompletableFuture<TransportServer> bind(URI local, TunnelOptions options, Consumer<? super Tunnel> onTunnel);

    /** Accepts on {@code tcp://host:port}; port 0 picks a free port (see {@link TransportServer#localAddress()}). */
    default CompletableFuture<TransportServer> bind(InetSocketAddress local, TunnelOptions options,
            Consumer<? super Tunnel> onTunnel) {
        return bind(Transports.tcpUri(local), options, onTunnel);
    }

    /** Closes every server and tunnel of this transport (GOAWAY SHUTDOWN) and releases its threads. */
    @Override
    void close();
}
