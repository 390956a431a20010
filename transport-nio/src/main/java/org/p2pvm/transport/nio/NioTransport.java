package org.p2pvm.transport.nio;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;
import org.p2pvm.transport.nio.internal.NioConnector;
import org.p2pvm.transport.nio.internal.NioLoopGroup;
import org.p2pvm.transport.nio.internal.NioServer;
import org.p2pvm.transport.nio.internal.NioSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plain {@code java.nio} TCP transport, registered as {@code "nio"}: no dependency beyond the
 * JDK. Peers are {@code tcp://host:port}.
 *
 * <h2>Threads</h2>
 * {@link TransportConfig#effectiveIoThreads()} selector threads (one per processor by default), named
 * {@code <threadNamePrefix>-N} (default prefix {@code p2pvm-nio-<instance>}), started by the
 * constructor and stopped by {@link #close()}. Every connection is pinned to one of them for life,
 * round robin; that thread is the tunnel's serial executor, so tunnel callbacks run on it and must
 * not block. A server socket is served by one of the same threads, which hands each accepted socket
 * to the next thread through that thread's task queue.
 *
 * <h2>Properties ({@link TransportConfig#property})</h2>
 * <ul>
 * <li>{@value #WRITE_HIGH_WATER_MARK} (bytes, default 1 MiB): queued outbound bytes above which the
 *     carrier reports itself unwritable to the engine;</li>
 * <li>{@value #WRITE_LOW_WATER_MARK} (default half the high mark): writable again at or below;</li>
 * <li>{@value #READ_BUFFER_SIZE} (default 64 KiB): each selector thread's direct read buffer;</li>
 * <li>{@value #MAX_READS_PER_EVENT} / {@value #WRITE_SPIN_COUNT} (default 16 each): reads and writes
 *     per connection per turn, for fairness between connections on one thread;</li>
 * <li>{@value #CONNECT_TIMEOUT_MILLIS} (default 10000);</li>
 * <li>{@value #CLOSE_FLUSH_TIMEOUT_MILLIS} (default 10000): how long a closing carrier waits for a
 *     peer that does not read;</li>
 * <li>{@value #SHUTDOWN_TIMEOUT_MILLIS} (default 60000): how long {@link #close()} waits for tunnels
 *     to close gracefully before closing their sockets;</li>
 * <li>{@value #BACKLOG} (default 1024), {@value #SEND_BUFFER_SIZE} / {@value #RECEIVE_BUFFER_SIZE}
 *     (SO_SNDBUF / SO_RCVBUF, default 0 = the OS's), {@value #DAEMON_THREADS} (default false).</li>
 * </ul>
 * An unknown {@code nio.*} key or a bad value fails the constructor with a message naming the key.
 * Sockets always use TCP_NODELAY; server sockets SO_REUSEADDR.
 *
 * <p>Thread-safe.
 */
public final class NioTransport implements Transport {
    /** The name this transport is registered under. */
    public static final String NAME = "nio";
    public static final String WRITE_HIGH_WATER_MARK = NioSettings.WRITE_HIGH_WATER_MARK;
    public static final String WRITE_LOW_WATER_MARK = NioSettings.WRITE_LOW_WATER_MARK;
    public static final String READ_BUFFER_SIZE = NioSettings.READ_BUFFER_SIZE;
    public static final String MAX_READS_PER_EVENT = NioSettings.MAX_READS_PER_EVENT;
    public static final String WRITE_SPIN_COUNT = NioSettings.WRITE_SPIN_COUNT;
    public static final String CONNECT_TIMEOUT_MILLIS = NioSettings.CONNECT_TIMEOUT_MILLIS;
    public static final String CLOSE_FLUSH_TIMEOUT_MILLIS = NioSettings.CLOSE_FLUSH_TIMEOUT_MILLIS;
    public static final String SHUTDOWN_TIMEOUT_MILLIS = NioSettings.SHUTDOWN_TIMEOUT_MILLIS;
    public static final String BACKLOG = NioSettings.BACKLOG;
    public static final String SEND_BUFFER_SIZE = NioSettings.SEND_BUFFER_SIZE;
    public static final String RECEIVE_BUFFER_SIZE = NioSettings.RECEIVE_BUFFER_SIZE;
    public static final String DAEMON_THREADS = NioSettings.DAEMON_THREADS;

    private static final Logger LOG = LoggerFactory.getLogger(NioTransport.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final long THREAD_JOIN_MILLIS = 10_000;

    private final NioSettings settings;
    private final NioLoopGroup group;
    private final Set<NioServer> servers = ConcurrentHashMap.newKeySet();
    private final Set<Tunnel> dialled = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** A transport with default settings. */
    public NioTransport() {
        this(TransportConfig.defaults());
    }

    /**
     * Starts the selector threads.
     *
     * @throws IllegalArgumentException for a bad {@code nio.*} property
     */
    public NioTransport(TransportConfig config) {
        this.settings = NioSettings.of(Objects.requireNonNull(config, "config"));
        String prefix = config.threadNamePrefix() != null ? config.threadNamePrefix()
                : "p2pvm-nio-" + INSTANCES.incrementAndGet();
        this.group = new NioLoopGroup(settings.ioThreads(), prefix, settings.readBufferSize(),
                settings.daemonThreads());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The number of selector threads. */
    public int ioThreads() {
        return group.loops().size();
    }

    @Override
    public CompletableFuture<Tunnel> connect(URI peer, TunnelOptions options) {
        Objects.requireNonNull(options, "options");
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the nio transport is closed"));
        }
        InetSocketAddress address;
        try {
            address = resolve(peer);
        } catch (IllegalArgumentException | UnknownHostException e) {
            return CompletableFuture.failedFuture(e);
        }
        return NioConnector.connect(group.next(), peer, address, options, settings, this::trackDialled);
    }

    @Override
    public CompletableFuture<TransportServer> bind(URI local, TunnelOptions options, Consumer<? super Tunnel> onTunnel) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onTunnel, "onTunnel");
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the nio transport is closed"));
        }
        InetSocketAddress address;
        try {
            address = resolve(local);
        } catch (IllegalArgumentException | UnknownHostException e) {
            return CompletableFuture.failedFuture(e);
        }
        return NioServer.bind(group, local, address, options, onTunnel, settings).thenApply(server -> {
            servers.add(server);
            server.terminationFuture().whenComplete((v, e) -> servers.remove(server));
            if (closed.get()) {
                server.closeAsync();
            }
            return server;
        });
    }

    /**
     * Closes every server and dialled tunnel with GOAWAY SHUTDOWN, waits for them to close (at most
     * {@value #SHUTDOWN_TIMEOUT_MILLIS}), then stops the selector threads, closing whatever is still
     * open, and waits for the threads to end. Called on one of this transport's own threads it does
     * not wait: the threads end after the current task. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            awaitThreads();
            return;
        }
        List<CompletableFuture<?>> waits = new ArrayList<>();
        for (NioServer s : servers) {
            waits.add(s.closeAsync());
        }
        for (Tunnel t : dialled) {
            try {
                t.close(ErrorCode.SHUTDOWN, "transport closing");
            } catch (RuntimeException e) {
                LOG.debug("closing tunnel to {} failed", t.carrierRemoteAddress(), e);
            }
            waits.add(t.closeFuture());
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new));
        if (group.inAnyLoop()) {
            all.orTimeout(settings.shutdownTimeoutMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((v, e) -> group.shutdown());
            return;
        }
        try {
            all.get(settings.shutdownTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("nio transport: {} tunnels still open after {} ms; closing their sockets",
                    dialled.size() + servers.stream().mapToInt(s -> s.tunnels().size()).sum(),
                    settings.shutdownTimeoutMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.debug("a tunnel failed while closing", e);
        }
        group.shutdown();
        awaitThreads();
    }

    private void awaitThreads() {
        if (group.inAnyLoop()) {
            return;
        }
        try {
            if (!group.awaitTermination(THREAD_JOIN_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("nio transport: selector threads still running {} ms after close", THREAD_JOIN_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void trackDialled(Tunnel t) {
        dialled.add(t);
        t.closeFuture().whenComplete((r, e) -> dialled.remove(t));
        if (closed.get()) {
            t.close(ErrorCode.SHUTDOWN, "transport closing");
        }
    }

    /** The socket address of a {@code tcp://} URI, resolved, with errors that name the URI. */
    private static InetSocketAddress resolve(URI uri) throws UnknownHostException {
        InetSocketAddress address;
        try {
            address = Transports.socketAddress(uri);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m != null && m.contains(String.valueOf(uri)) ? m
                    : "'" + uri + "' is not a valid tcp://HOST:PORT: " + m, e);
        }
        if (address.isUnresolved()) {
            throw new UnknownHostException("'" + uri + "': unknown host " + address.getHostString());
        }
        return address;
    }

    @Override
    public String toString() {
        return "nio transport (" + ioThreads() + " selector threads)";
    }
}
