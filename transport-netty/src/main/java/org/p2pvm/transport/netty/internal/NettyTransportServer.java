package org.p2pvm.transport.netty.internal;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * A bound {@code netty} server: the listening channel and the tunnels it accepted. Thread-safe.
 */
public final class NettyTransportServer implements TransportServer {
    private final Channel serverChannel;
    private final Set<Tunnel> tunnels;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    /**
     * @param tunnels live set of the tunnels accepted on {@code serverChannel}, maintained by the caller
     */
    public NettyTransportServer(Channel serverChannel, Set<Tunnel> tunnels) {
        this.serverChannel = serverChannel;
        this.tunnels = tunnels;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    @Override
    public URI uri() {
        InetSocketAddress a = localAddress();
        if (a.getAddress() != null && a.getAddress().isAnyLocalAddress()) {
            a = new InetSocketAddress("127.0.0.1", a.getPort());
        }
        return Transports.tcpUri(a);
    }

    @Override
    public Collection<Tunnel> tunnels() {
        return List.copyOf(tunnels);
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        serverChannel.close().addListener(f -> {
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (Tunnel t : List.copyOf(tunnels)) {
                t.close(ErrorCode.SHUTDOWN, "server closed");
                all.add(t.closeFuture());
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .whenComplete((v, e) -> closed.complete(null));
        });
        return closed;
    }

    @Override
    public String toString() {
        return "NettyTransportServer{" + uri() + '}';
    }
}
