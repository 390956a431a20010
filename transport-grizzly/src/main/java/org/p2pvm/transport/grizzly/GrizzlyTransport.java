package org.p2pvm.transport.grizzly;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOBindingHandler;
import org.glassfish.grizzly.nio.transport.TCPNIOConnectorHandler;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;
import org.p2pvm.transport.grizzly.internal.CarrierBinding;
import org.p2pvm.transport.grizzly.internal.CarrierFilter;
import org.p2pvm.transport.grizzly.internal.TlsFilters;
import org.p2pvm.transport.grizzly.internal.TlsRecordSplitter;
import org.glassfish.grizzly.ssl.SSLBaseFilter;
import org.p2pvm.transport.grizzly.internal.TunnelRegistry;

/**
 * The Grizzly 4 carrier: tunnels over TCP connections of one {@link TCPNIOTransport}
 * ({@code tcp://host:port}).
 *
 * <p>Each link's filter chain is {@code TransportFilter} + a carrier filter that hands read buffers to
 * the engine and writes the engine's batches straight to Grizzly's async write queue, one composite
 * buffer per batch, with Grizzly's {@code canWrite}/{@code notifyWritePossible} as backpressure.
 *
 * <p>Threads: {@link TransportConfig#ioThreads()} selector threads, and the IO strategy is
 * {@code SameThreadIOStrategy}, so each connection's events run on the one selector thread it is
 * registered with; that thread is also the tunnel's serial executor. (Grizzly's default
 * worker-thread strategy would process one connection's events on changing worker threads, which is
 * not serial with the engine's tasks and would add a hand-off per read.) Nothing a tunnel runs may
 * block, as on any event loop.
 *
 * <p>TLS ({@link TunnelOptions#tls()}): Grizzly's {@code SSLFilter} / {@code SSLBaseFilter} sits between
 * the transport filter and the carrier filter, configured by the engine's {@code TlsContexts}; the
 * tunnel starts once the TLS handshake completed, and the carrier then writes through the chain.
 * Grizzly 4.0.2's {@code SSLBaseFilter} drops the application data it decrypted in the same call as a
 * peer's close_notify (Netty sends close_notify right behind its last records), so a
 * {@code TlsRecordSplitter} in front of it hands it one record per call.
 *
 * <p>Properties ({@link TransportConfig#property}): {@code grizzly.maxWriteQueueBytes} (default
 * 1048576) — queued bytes per connection above which the carrier reports itself unwritable. A bad
 * value or an unknown {@code grizzly.*} key fails the constructor with an
 * {@link IllegalArgumentException} naming it.
 *
 * <p>Thread-safe. {@link #close()} closes every tunnel with GOAWAY SHUTDOWN, waits for them (at most
 * {@value #CLOSE_WAIT_SECONDS} s) and stops the threads.
 */
public final class GrizzlyTransport implements Transport {
    static final int CLOSE_WAIT_SECONDS = 10;
    /** Transport property: queued bytes per connection above which the carrier is unwritable. */
    public static final String MAX_WRITE_QUEUE_BYTES = "grizzly.maxWriteQueueBytes";
    /** Default of {@code grizzly.maxWriteQueueBytes}. */
    public static final int DEFAULT_MAX_WRITE_QUEUE_BYTES = 1 << 20;

    private final TCPNIOTransport transport;
    private final TunnelRegistry tunnels = new TunnelRegistry(null);
    private final java.util.Set<GrizzlyServer> servers = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String threadPrefix;

    public GrizzlyTransport(TransportConfig config) {
        int threads = config.effectiveIoThreads();
        String prefix = config.threadNamePrefix() != null ? config.threadNamePrefix() : "p2pvm-grizzly";
        this.threadPrefix = prefix;
        int maxQueue = maxWriteQueueBytes(config);
        transport = TCPNIOTransportBuilder.newInstance()
                .setIOStrategy(SameThreadIOStrategy.getInstance())
                .setSelectorRunnersCount(threads)
                .setSelectorThreadPoolConfig(ThreadPoolConfig.defaultConfig()
                        .setCorePoolSize(threads).setMaxPoolSize(threads)
                        .setPoolName(prefix).setDaemon(true))
                .setWorkerThreadPoolConfig(null)
                .setMaxAsyncWriteQueueSizeInBytes(maxQueue)
                .setTcpNoDelay(true)
                .setKeepAlive(true)
                .build();
        try {
            transport.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Grizzly transport: " + e.getMessage(), e);
        }
    }

    /**
     * Reads {@value #MAX_WRITE_QUEUE_BYTES}, the only {@code grizzly.*} property; any other
     * {@code grizzly.*} key is a typo and rejected, as the other transports reject theirs.
     */
    private static int maxWriteQueueBytes(TransportConfig config) {
        config.requireKnownProperties("grizzly.", Set.of(MAX_WRITE_QUEUE_BYTES));
        return config.intProperty(MAX_WRITE_QUEUE_BYTES, DEFAULT_MAX_WRITE_QUEUE_BYTES, 1, Integer.MAX_VALUE);
    }

    @Override
    public String name() {
        return GrizzlyTransportProvider.NAME;
    }

    /** The underlying Grizzly transport (for monitoring; do not reconfigure it). */
    public TCPNIOTransport grizzlyTransport() {
        return transport;
    }

    /** TransportFilter [+ TLS filter] + carrier filter. */
    static FilterChain carrierChain(boolean dialer, CarrierBinding binding, SSLBaseFilter tls) {
        FilterChainBuilder b = FilterChainBuilder.stateless().add(new TransportFilter());
        if (tls != null) {
            b.add(new TlsRecordSplitter()).add(tls);
        }
        return b.add(new CarrierFilter(dialer, binding, tls)).build();
    }

    @Override
    @SuppressWarnings("rawtypes") // Grizzly's connector hands out raw Connections
    public CompletableFuture<Tunnel> connect(URI peer, TunnelOptions options) {
        Objects.requireNonNull(options, "options");
        CompletableFuture<Tunnel> result = new CompletableFuture<>();
        InetSocketAddress address;
        SSLBaseFilter tls;
        try {
            ensureOpen();
            address = Transports.socketAddress(peer);
            tls = options.tls() == null ? null : TlsFilters.dialer(options.tls(), address.getHostString(), address.getPort());
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        FilterChain chain = carrierChain(true, tunnels.opener(options, null, result), tls);
        TCPNIOConnectorHandler.builder(transport).processor(chain).build().connect(address,
                new EmptyCompletionHandler<Connection>() {
                    @Override
                    public void failed(Throwable t) {
                        result.completeExceptionally(connectFailure(peer, t));
                    }

                    @Override
                    public void cancelled() {
                        result.completeExceptionally(new IOException("connecting to " + peer + " was cancelled"));
                    }
                });
        return result;
    }

    private static IOException connectFailure(URI peer, Throwable t) {
        IOException e = new java.net.ConnectException("cannot connect to " + peer + ": " + t.getMessage());
        e.initCause(t);
        return e;
    }

    @Override
    public CompletableFuture<TransportServer> bind(URI local, TunnelOptions options, Consumer<? super Tunnel> onTunnel) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onTunnel, "onTunnel");
        try {
            ensureOpen();
            InetSocketAddress address = Transports.socketAddress(local);
            TunnelRegistry serverTunnels = new TunnelRegistry(tunnels);
            SSLBaseFilter tls = options.tls() == null ? null : TlsFilters.acceptor(options.tls());
            FilterChain chain = carrierChain(false, serverTunnels.acceptor(options, onTunnel), tls);
            TCPNIOServerConnection connection = TCPNIOBindingHandler.builder(transport).processor(chain).build().bind(address);
            GrizzlyServer server = new GrizzlyServer(transport, connection, serverTunnels, servers::remove);
            servers.add(server);
            return CompletableFuture.completedFuture(server);
        } catch (IOException e) {
            IOException named = new IOException("cannot listen on " + local + ": " + e.getMessage(), e);
            return CompletableFuture.failedFuture(named);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the grizzly transport is closed");
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (GrizzlyServer s : java.util.List.copyOf(servers)) {
            s.closeAsync();
        }
        CompletableFuture<Void> all = tunnels.shutdown("transport closed");
        if (!isSelectorThread()) {
            TunnelRegistry.await(all, Duration.ofSeconds(CLOSE_WAIT_SECONDS));
        }
        try {
            transport.shutdownNow();
        } catch (IOException e) {
            org.slf4j.LoggerFactory.getLogger(GrizzlyTransport.class).debug("error stopping Grizzly", e);
        }
    }

    /** Waiting for tunnels on one of our own selector threads would wait for ourselves. */
    private boolean isSelectorThread() {
        return Thread.currentThread().getName().startsWith(threadPrefix)
                || org.glassfish.grizzly.threadpool.Threads.isService();
    }

    @Override
    public String toString() {
        return "GrizzlyTransport{" + transport.getName() + '}';
    }
}
