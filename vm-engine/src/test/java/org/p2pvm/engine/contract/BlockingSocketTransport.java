package org.p2pvm.engine.contract;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smallest TCP {@link Transport} that can run the contract kit, used only to test the kit itself
 * ({@link TransportHarness}, {@link TcpFaultProxy}) over real sockets before the real transports
 * use it. Blocking sockets and threads ({@link BlockingSocketCarrier}); not registered with
 * ServiceLoader.
 */
final class BlockingSocketTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(BlockingSocketTransport.class);
    private static final AtomicInteger LINKS = new AtomicInteger();

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "kit-socket-pool");
        t.setDaemon(true);
        return t;
    });
    private final Set<Tunnel> tunnels = ConcurrentHashMap.newKeySet();
    private final List<Server> servers = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "kit-socket";
    }

    @Override
    public CompletableFuture<Tunnel> connect(URI peer, TunnelOptions options) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return SocketChannel.open(Transports.socketAddress(peer));
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, pool).thenCompose(ch -> start(ch, true, options, null));
    }

    private CompletableFuture<Tunnel> start(SocketChannel ch, boolean dialer, TunnelOptions options,
            Consumer<? super Tunnel> onOpen) {
        BlockingSocketCarrier carrier;
        try {
            carrier = new BlockingSocketCarrier(ch, dialer, pool);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Tunnel> result = new CompletableFuture<>();
        carrier.executor().execute(() -> {
            TunnelEngine.TunnelSession session = TunnelEngine.open(carrier, options, onOpen);
            tunnels.add(session.tunnel());
            session.tunnel().closeFuture().whenComplete((r, e) -> tunnels.remove(session.tunnel()));
            carrier.start(session, (dialer ? "d" : "a") + LINKS.incrementAndGet());
            session.handshake().whenComplete((t, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(t);
                }
            });
        });
        return result;
    }

    @Override
    public CompletableFuture<TransportServer> bind(URI local, TunnelOptions options,
            Consumer<? super Tunnel> onTunnel) {
        try {
            ServerSocketChannel ssc = ServerSocketChannel.open().bind(Transports.socketAddress(local));
            Server s = new Server(ssc, options, onTunnel);
            servers.add(s);
            Thread t = new Thread(s::acceptLoop, "kit-socket-accept");
            t.setDaemon(true);
            t.start();
            return CompletableFuture.completedFuture(s);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        List<CompletableFuture<?>> closing = new ArrayList<>();
        for (Server s : servers) {
            closing.add(s.closeAsync());
        }
        for (Tunnel t : tunnels) {
            t.close(ErrorCode.SHUTDOWN, "transport closing");
            closing.add(t.closeFuture());
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("kit socket transport: tunnels still open after 5 s", e);
        }
        pool.shutdown();
    }

    /** One listening socket. */
    private final class Server implements TransportServer {
        private final ServerSocketChannel ssc;
        private final TunnelOptions options;
        private final Consumer<? super Tunnel> onTunnel;
        private final InetSocketAddress address;
        private final Set<Tunnel> open = ConcurrentHashMap.newKeySet();

        Server(ServerSocketChannel ssc, TunnelOptions options, Consumer<? super Tunnel> onTunnel) throws IOException {
            this.ssc = ssc;
            this.options = options;
            this.onTunnel = onTunnel;
            this.address = (InetSocketAddress) ssc.getLocalAddress();
        }

        void acceptLoop() {
            while (ssc.isOpen()) {
                try {
                    SocketChannel ch = ssc.accept();
                    start(ch, false, options, t -> {
                        open.add(t);
                        t.closeFuture().whenComplete((r, e) -> open.remove(t));
                        onTunnel.accept(t);
                    }).whenComplete((t, e) -> {
                        if (e != null) {
                            LOG.debug("kit socket server: handshake failed: {}", e.toString());
                        }
                    });
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        @Override
        public InetSocketAddress localAddress() {
            return address;
        }

        @Override
        public URI uri() {
            return Transports.tcpUri(address);
        }

        @Override
        public Collection<Tunnel> tunnels() {
            return List.copyOf(open);
        }

        @Override
        public CompletableFuture<Void> closeAsync() {
            try {
                ssc.close();
            } catch (IOException e) {
                LOG.debug("closing the listener", e);
            }
            List<CompletableFuture<?>> all = new ArrayList<>();
            for (Tunnel t : open) {
                t.close(ErrorCode.SHUTDOWN, "server closing");
                all.add(t.closeFuture());
            }
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        }
    }
}
