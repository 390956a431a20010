package org.p2pvm.engine.memory;

import java.net.BindException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process transport (name {@code memory}): peers are named {@code memory:NAME}; a
 * {@link #bind} registers NAME in a registry shared by every memory transport of the class loader,
 * and a {@link #connect} to it makes a {@link MemoryLink} between the two transports and opens a
 * tunnel on each end. For tests, demos, and embedding two peers in one process.
 *
 * <h2>Properties</h2>
 * The links this transport dials use {@link MemoryLink.Settings#fromProperties} with the prefix
 * {@code memory}: {@code memory.maxChunk} (default 65536), {@code memory.bufferLimit} (default
 * 4194304), {@code memory.seed}, {@code memory.oneWayDelayMillis} (default 0). Each link gets the
 * seed plus its sequence number, so runs are reproducible.
 *
 * <h2>Threads</h2>
 * {@link TransportConfig#effectiveIoThreads()} daemon threads (named by
 * {@link TransportConfig#threadNamePrefix()}, default {@code p2pvm-memory-tN}) run the serial
 * executors of this transport's link ends and their delay timers. {@link #close()} closes every
 * server and tunnel (GOAWAY SHUTDOWN), waits up to 5 s for them (not when called on one of its own
 * threads), kills the links still up, and stops the threads.
 */
public final class MemoryTransport implements Transport {
    /** The provider name and URI scheme. */
    public static final String NAME = "memory";
    private static final Logger LOG = LoggerFactory.getLogger(MemoryTransport.class);
    private static final Map<String, MemoryServer> REGISTRY = new ConcurrentHashMap<>();
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final long CLOSE_WAIT_MILLIS = 5000;

    private final MemoryLink.Settings settings;
    private final ScheduledThreadPoolExecutor pool;
    private final Set<MemoryServer> servers = ConcurrentHashMap.newKeySet();
    private final Set<MemoryLink> links = ConcurrentHashMap.newKeySet();
    private final Set<Tunnel> dialed = ConcurrentHashMap.newKeySet();
    private final AtomicLong linkSeq = new AtomicLong();
    private volatile boolean closed;

    /**
     * @throws IllegalArgumentException naming the property when a {@code memory.*} property is invalid
     */
    public MemoryTransport(TransportConfig config) {
        Objects.requireNonNull(config, "config");
        this.settings = MemoryLink.Settings.fromProperties(NAME, key -> config.property(key, null));
        String prefix = config.threadNamePrefix() != null ? config.threadNamePrefix()
                : "p2pvm-memory-t" + INSTANCES.incrementAndGet();
        this.pool = MemoryThreads.newPool(config.effectiveIoThreads(), prefix, this);
    }

    /** The settings of the links this transport dials. */
    public MemoryLink.Settings settings() {
        return settings;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CompletableFuture<Tunnel> connect(URI peer, TunnelOptions options) {
        String name;
        try {
            Objects.requireNonNull(options, "options");
            name = nameOf(peer);
            checkOpen();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        MemoryServer server = REGISTRY.get(name);
        if (server == null || server.isClosing()) {
            return CompletableFuture.failedFuture(new ConnectException("nothing is bound at memory:" + name
                    + " (bound names: " + new TreeSet<>(REGISTRY.keySet()) + ")"));
        }
        long seq = linkSeq.incrementAndGet();
        MemoryLink.Settings linkSettings = settings.toBuilder().seed(settings.seed() + seq).build();
        MemoryLink link = new MemoryLink(linkSettings, name + "#" + seq, pool, server.transport().pool);
        links.add(link);
        server.accept(link);
        CompletableFuture<Tunnel> result = new CompletableFuture<>();
        MemoryCarrier dialer = link.dialer();
        dialer.executor().execute(() -> {
            TunnelEngine.TunnelSession session;
            try {
                session = TunnelEngine.open(dialer, options, null);
            } catch (RuntimeException e) {
                link.kill();
                links.remove(link);
                result.completeExceptionally(e);
                return;
            }
            session.tunnel().closeFuture().whenComplete((r, e) -> links.remove(link));
            dialer.setListener(session);
            session.handshake().whenComplete((tunnel, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                    return;
                }
                dialed.add(tunnel);
                tunnel.closeFuture().whenComplete((r, x) -> dialed.remove(tunnel));
                if (closed) {
                    tunnel.close(ErrorCode.SHUTDOWN, "memory transport closing");
                }
                result.complete(tunnel);
            });
        });
        return result;
    }

    @Override
    public CompletableFuture<TransportServer> bind(URI local, TunnelOptions options,
            Consumer<? super Tunnel> onTunnel) {
        String name;
        try {
            Objects.requireNonNull(options, "options");
            Objects.requireNonNull(onTunnel, "onTunnel");
            name = nameOf(local);
            checkOpen();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        MemoryServer server = new MemoryServer(name, options, onTunnel, this);
        if (REGISTRY.putIfAbsent(name, server) != null) {
            return CompletableFuture.failedFuture(new BindException("memory:" + name
                    + " is already bound by another memory server; pick another name or close that server"));
        }
        servers.add(server);
        return CompletableFuture.completedFuture(server);
    }

    /** Remembers a link with an end on this transport's threads, so that {@link #close()} can kill it. */
    void track(MemoryLink link, Tunnel tunnel) {
        links.add(link);
        tunnel.closeFuture().whenComplete((r, e) -> links.remove(link));
    }

    /**
     * Drops every link with an end on this transport at once, as pulled cables (see
     * {@link MemoryLink#kill()}): both ends' tunnels close without GOAWAY and fail their streams. For
     * tests of carrier loss; the transport stays usable.
     */
    public void killLinks() {
        for (MemoryLink link : List.copyOf(links)) {
            link.kill();
        }
    }

    /** Called by a closing server. */
    void unbind(MemoryServer server) {
        REGISTRY.remove(server.name(), server);
        servers.remove(server);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (MemoryServer s : List.copyOf(servers)) {
            pending.add(s.closeAsync());
        }
        for (Tunnel t : List.copyOf(dialed)) {
            t.close(ErrorCode.SHUTDOWN, "memory transport closing");
            pending.add(t.closeFuture());
        }
        boolean mayWait = !MemoryThreads.isPoolThreadOf(this);
        if (mayWait && !await(pending, CLOSE_WAIT_MILLIS)) {
            LOG.warn("memory transport: tunnels still open after {} ms of graceful close; killing their links",
                    CLOSE_WAIT_MILLIS);
        }
        // only links still up at both ends: a link whose end closed gracefully is still delivering that
        // end's last bytes (its GOAWAY) to the peer, and a tunnel's link leaves the set only in a
        // callback that may run after the await above returns
        for (MemoryLink link : List.copyOf(links)) {
            if (link.isUp()) {
                link.kill();
            }
        }
        if (mayWait) {
            await(pending, CLOSE_WAIT_MILLIS); // killed links close their tunnels at once
        }
        pool.shutdown();
    }

    private static boolean await(List<CompletableFuture<?>> futures, long millis) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this memory transport is closed");
        }
    }

    /**
     * The NAME of {@code memory:NAME}.
     *
     * @throws IllegalArgumentException saying the expected form
     */
    static String nameOf(URI uri) {
        if (uri == null || !NAME.equalsIgnoreCase(uri.getScheme()) || !uri.isOpaque()
                || uri.getSchemeSpecificPart() == null || uri.getSchemeSpecificPart().isEmpty()) {
            throw new IllegalArgumentException("'" + uri
                    + "' is not a memory peer: write memory:NAME, e.g. memory:echo");
        }
        return uri.getSchemeSpecificPart();
    }

    /** {@code memory:NAME}, quoting characters a URI cannot hold. */
    static URI uriOf(String name) {
        try {
            return new URI(NAME, name, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("memory name '" + name + "' cannot form a URI", e);
        }
    }

    @Override
    public String toString() {
        return "MemoryTransport{" + settings + '}';
    }
}
