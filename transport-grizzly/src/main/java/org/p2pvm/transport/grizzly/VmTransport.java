package org.p2pvm.transport.grizzly;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.AbstractTransport;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.GracefulShutdownListener;
import org.glassfish.grizzly.GrizzlyFuture;
import org.glassfish.grizzly.IOEvent;
import org.glassfish.grizzly.IOEventLifeCycleListener;
import org.glassfish.grizzly.Processor;
import org.glassfish.grizzly.Reader;
import org.glassfish.grizzly.Transport;
import org.glassfish.grizzly.Writer;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChainEnabledTransport;
import org.glassfish.grizzly.memory.MemoryManager;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.utils.Futures;
import org.p2pvm.Tunnel;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.transport.grizzly.internal.VmGrizzlyConnection;
import org.p2pvm.transport.grizzly.internal.VmTransportFilter;

/**
 * A Grizzly {@link Transport} whose connections are virtual connections of p2pvm tunnels, so that an
 * application's existing {@code FilterChain} — its {@code TransportFilter}, codec filters and business
 * filter, unchanged — runs over each {@link VmConnection} as over a TCP connection (migration step 3).
 *
 * <pre>{@code
 * // before                                            // after
 * TCPNIOTransport t = TCPNIOTransportBuilder           VmTransport t = new VmTransport("echo");
 *         .newInstance().build();
 * t.setProcessor(chain);                               t.setProcessor(chain);
 * t.bind(7777); t.start();                             tunnel.install(t.server(VmAddress.parse("[::99]:7777")));
 * }</pre>
 *
 * <p>How it maps: bytes of a virtual connection enter the chain as {@code handleRead} (the
 * {@code TransportFilter} delegates to this transport's filter, which hands over a buffer); writes
 * that reach the {@code TransportFilter} go to the {@link VmConnection} with their completion handler;
 * the peer's FIN, a close, or a reset end the Grizzly connection and fire {@code handleClose};
 * {@code close()} sends FIN after queued data, {@code terminate*()} and {@code closeWithReason(e)} send
 * RESET. {@code canWrite()}/{@code notifyCanWrite()} follow the stream's writability (its high water
 * mark {@link org.p2pvm.TunnelOptions#streamWriteHighWaterMark()} and window), so Grizzly's write-queue
 * backpressure works unchanged. The mark is a signal, as {@code TCPNIOTransport}'s queue limit is in
 * Grizzly 4: writes past it are queued, not refused, so memory stays bounded only for chains that
 * respect {@code canWrite()}. {@code canWrite()} is exact on the tunnel's executor; a write from another
 * thread counts once that executor has run it. A suspended read context, or READ interest turned off,
 * pauses reading (credit stops flowing, so the peer stalls at the stream window).
 *
 * <p>Threads: every event of a virtual connection enters the chain on its tunnel's executor (the
 * carrier's event loop), one at a time, through {@code ProcessorExecutor}; the IO strategy is never
 * used. Filters must therefore not block: dispatch blocking work as you would on a selector thread.
 *
 * <p>Limits: no blocking reads ({@code connection.read()}), no {@code FileChunk} writes, no per
 * connection {@code setMaxAsyncWriteQueueSize} (the stream's high water mark rules), inbound bytes are
 * copied once into a Grizzly buffer (codecs may keep them beyond the call, the engine's buffer does
 * not live that long), and Grizzly's idle-timeout and {@code NetworkListener} machinery (tied to
 * {@code TCPNIOTransport}) is not available — build listener chains by hand. Thread-safe.
 */
// Grizzly's own interfaces are raw-typed and keep deprecated members; implementing them needs the same signatures
@SuppressWarnings({"rawtypes", "unchecked", "deprecation"})
public final class VmTransport extends AbstractTransport implements FilterChainEnabledTransport {
    private final Filter transportFilter = new VmTransportFilter();

    /** A transport named {@code name} (for logs), started, with Grizzly's default memory manager. */
    public VmTransport(String name) {
        super(name);
        this.memoryManager = MemoryManager.DEFAULT_MEMORY_MANAGER;
        this.strategy = SameThreadIOStrategy.getInstance();
        this.attributeBuilder = org.glassfish.grizzly.Grizzly.DEFAULT_ATTRIBUTE_BUILDER;
        state.setState(State.STARTED);
    }

    /**
     * A virtual server on {@code addresses} whose every connection runs this transport's processor
     * (set with {@link #setProcessor}); install it on any number of tunnels.
     */
    public VmServer server(VmAddress... addresses) {
        VmServer.Builder b = VmServer.builder().name(getName());
        for (VmAddress a : addresses) {
            b.listen(a);
        }
        return b.acceptor(this::accept).build();
    }

    /** Runs this transport's processor over {@code connection}, an accepted virtual connection (fires {@code handleAccept}). */
    public Connection<SocketAddress> accept(VmConnection connection) {
        return VmGrizzlyConnection.accepted(this, connection, requireProcessor());
    }

    /**
     * Opens a virtual connection to {@code destination} in {@code tunnel} and runs this transport's
     * processor over it: completes after the peer accepted and the chain's {@code handleConnect} ran.
     */
    public CompletableFuture<Connection<SocketAddress>> connect(Tunnel tunnel, VmAddress destination) {
        return connect(tunnel, destination, requireProcessor());
    }

    /** {@link #connect(Tunnel, VmAddress)} for a socket address that holds a virtual address ({@link VmAddresses}). */
    public CompletableFuture<Connection<SocketAddress>> connect(Tunnel tunnel, SocketAddress destination) {
        return connect(tunnel, VmAddresses.fromSocketAddress(destination));
    }

    /** {@link #connect(Tunnel, VmAddress)} with another processor (a client chain). */
    public CompletableFuture<Connection<SocketAddress>> connect(Tunnel tunnel, VmAddress destination, Processor processor) {
        Objects.requireNonNull(tunnel, "tunnel");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(processor, "processor");
        return tunnel.connect(destination).thenCompose(vm -> VmGrizzlyConnection.connected(this, vm, processor));
    }

    private Processor requireProcessor() {
        Processor p = getProcessor();
        if (p == null) {
            throw new IllegalStateException("set the filter chain first: vmTransport.setProcessor(chain)");
        }
        return p;
    }

    @Override
    public Filter getTransportFilter() {
        return transportFilter;
    }

    @Override
    protected void closeConnection(Connection connection) throws IOException {
        connection.closeSilently();
    }

    @Override
    protected Object createJmxManagementObject() {
        return null;
    }

    @Override
    public void start() {
        state.setState(State.STARTED);
    }

    @Override
    public void stop() {
        shutdownNow();
    }

    @Override
    public GrizzlyFuture<Transport> shutdown() {
        shutdownNow();
        return Futures.createReadyFuture(this);
    }

    @Override
    public GrizzlyFuture<Transport> shutdown(long gracePeriod, TimeUnit timeUnit) {
        return shutdown();
    }

    /** Marks the transport stopped; virtual connections live and die with their tunnels. */
    @Override
    public void shutdownNow() {
        state.setState(State.STOPPED);
    }

    @Override
    public boolean addShutdownListener(GracefulShutdownListener shutdownListener) {
        return false;
    }

    @Override
    public void pause() {
        state.setState(State.PAUSED);
    }

    @Override
    public void resume() {
        state.setState(State.STARTED);
    }

    @Override
    public void configureStandalone(boolean isStandalone) {
        if (isStandalone) {
            throw new UnsupportedOperationException("virtual connections always run a processor");
        }
    }

    @Override
    public void fireIOEvent(IOEvent ioEvent, Connection connection, IOEventLifeCycleListener listener) {
        ((VmGrizzlyConnection) connection).fire(ioEvent, listener);
    }

    @Override
    public Reader getReader(Connection connection) {
        throw new UnsupportedOperationException("virtual connections deliver reads through the filter chain only");
    }

    @Override
    public Reader getReader(boolean isBlocking) {
        throw new UnsupportedOperationException("virtual connections deliver reads through the filter chain only");
    }

    @Override
    public Writer getWriter(Connection connection) {
        throw new UnsupportedOperationException("write through the connection or the filter chain");
    }

    @Override
    public Writer getWriter(boolean isBlocking) {
        throw new UnsupportedOperationException("write through the connection or the filter chain");
    }

    @Override
    public void notifyTransportError(Throwable error) {
        org.slf4j.LoggerFactory.getLogger(VmTransport.class).warn("transport error in {}", getName(), error);
    }
}
