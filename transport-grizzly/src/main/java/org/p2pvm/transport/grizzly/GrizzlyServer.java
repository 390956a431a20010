package org.p2pvm.transport.grizzly;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.p2pvm.Tunnel;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;
import org.p2pvm.transport.grizzly.internal.TunnelRegistry;

/** One bound listening socket of a {@link GrizzlyTransport} and the tunnels accepted on it. Thread-safe. */
final class GrizzlyServer implements TransportServer {
    private final TCPNIOTransport transport;
    private final TCPNIOServerConnection connection;
    private final TunnelRegistry tunnels;
    private final InetSocketAddress localAddress;
    private final Consumer<GrizzlyServer> onClose;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    GrizzlyServer(TCPNIOTransport transport, TCPNIOServerConnection connection, TunnelRegistry tunnels,
            Consumer<GrizzlyServer> onClose) {
        this.transport = transport;
        this.connection = connection;
        this.tunnels = tunnels;
        this.localAddress = (InetSocketAddress) connection.getLocalAddress();
        this.onClose = onClose;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public URI uri() {
        return Transports.tcpUri(localAddress);
    }

    @Override
    public Collection<Tunnel> tunnels() {
        return tunnels.tunnels();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        if (closing.compareAndSet(false, true)) {
            transport.unbind(connection);
            onClose.accept(this);
            tunnels.shutdown("server closed").whenComplete((v, e) -> closed.complete(null));
        }
        return closed;
    }

    @Override
    public String toString() {
        return "GrizzlyServer{" + uri() + '}';
    }
}
