package org.p2pvm.engine.memory;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.TunnelEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A name bound by {@link MemoryTransport#bind}: it opens the acceptor end of every link dialled to
 * it and hands each tunnel to {@code onTunnel} after the handshake. Thread-safe.
 */
final class MemoryServer implements org.p2pvm.spi.TransportServer {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryServer.class);

    private final String name;
    private final TunnelOptions options;
    /** The accept backlog (PROTOCOL.md §10): links of this server still in the handshake. */
    private final org.p2pvm.engine.HandshakeGate handshakes;
    private final Consumer<? super Tunnel> onTunnel;
    private final MemoryTransport transport;
    /** Every tunnel started here, open or still handshaking. */
    private final Set<Tunnel> started = ConcurrentHashMap.newKeySet();
    private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile boolean closing;

    MemoryServer(String name, TunnelOptions options, Consumer<? super Tunnel> onTunnel, MemoryTransport transport) {
        this.name = name;
        this.options = options;
        this.handshakes = org.p2pvm.engine.HandshakeGate.of(options);
        this.onTunnel = onTunnel;
        this.transport = transport;
    }

    String name() {
        return name;
    }

    MemoryTransport transport() {
        return transport;
    }

    boolean isClosing() {
        return closing;
    }

    /** Starts the engine on the acceptor end of a new link, on that end's executor. */
    void accept(MemoryLink link) {
        MemoryCarrier carrier = link.acceptor();
        carrier.executor().execute(() -> {
            TunnelEngine.TunnelSession session;
            try {
                session = TunnelEngine.accept(carrier, options, this::opened, handshakes);
            } catch (RuntimeException e) {
                LOG.warn("memory server {}: the engine failed to start on {}; dropping the link", name, carrier, e);
                carrier.kill();
                return;
            }
            Tunnel tunnel = session.tunnel();
            started.add(tunnel);
            transport.track(link, tunnel);
            tunnel.closeFuture().whenComplete((r, e) -> started.remove(tunnel));
            carrier.setListener(session);
            session.handshake().whenComplete((t, e) -> {
                if (e != null) {
                    LOG.debug("memory server {}: handshake failed on {}: {}", name, carrier, e.toString());
                }
            });
        });
    }

    /** Runs on the tunnel's executor when its handshake succeeded. */
    private void opened(Tunnel tunnel) {
        if (closing) {
            tunnel.close(ErrorCode.SHUTDOWN, "memory server closing");
            return;
        }
        open.add(tunnel);
        tunnel.closeFuture().whenComplete((r, e) -> open.remove(tunnel));
        try {
            onTunnel.accept(tunnel);
        } catch (RuntimeException e) {
            LOG.warn("memory server {}: onTunnel threw; closing that tunnel", name, e);
            tunnel.close(ErrorCode.INTERNAL_ERROR, "server callback failed");
        }
    }

    /** There is no socket: the name as an unresolved host, port 0. */
    @Override
    public InetSocketAddress localAddress() {
        return InetSocketAddress.createUnresolved(name, 0);
    }

    @Override
    public URI uri() {
        return MemoryTransport.uriOf(name);
    }

    @Override
    public Collection<Tunnel> tunnels() {
        return List.copyOf(open);
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        if (closing) {
            return closed;
        }
        closing = true;
        transport.unbind(this);
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (Tunnel t : started) {
            t.close(ErrorCode.SHUTDOWN, "memory server closing");
            all.add(t.closeFuture());
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).whenComplete((r, e) -> closed.complete(null));
        return closed;
    }

    @Override
    public String toString() {
        return "MemoryServer{memory:" + name + '}';
    }
}
