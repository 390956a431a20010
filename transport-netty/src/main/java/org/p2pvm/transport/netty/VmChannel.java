package org.p2pvm.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.DefaultChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.StringUtil;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.p2pvm.ErrorCode;
import org.p2pvm.StreamResetException;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.transport.netty.internal.InboundReader;
import org.p2pvm.transport.netty.internal.OutboundTickets;
import org.p2pvm.transport.netty.internal.PinnedUnsafe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Netty {@link Channel} over one virtual connection ({@link VmConnection}), so that an existing
 * {@code ChannelInitializer} and its handlers run unchanged over a tunnel. Accepted channels come from
 * a {@link VmServerChannel}; a client channel is made by a {@code Bootstrap} with
 * {@code channelFactory(VmChannel.factory(tunnel))} and connects to a {@link VmSocketAddress}.
 *
 * <h2>Mapping (modelled on Netty's HTTP/2 child channels)</h2>
 * <ul>
 *   <li><b>Reading.</b> Inbound data waits in the channel until a read is requested ({@code autoRead},
 *       or {@code read()} when it is off); flow-control credit returns to the peer only for bytes
 *       actually fired into the pipeline, so {@code autoRead(false)} stalls the peer at the stream
 *       window (the connection runs in manual-consume mode).
 *   <li><b>Writing.</b> {@code ByteBuf}s go to the tunnel as views (no copy) while the stream is
 *       writable; the rest waits in the {@link ChannelOutboundBuffer}. A write's promise completes when
 *       the tunnel has handed its bytes to the carrier, so {@code isWritable()} and
 *       {@code WriteBufferWaterMark} follow the stream window. Only {@code ByteBuf} is accepted (use
 *       {@code ChunkedWriteHandler} rather than {@code FileRegion}).
 *   <li><b>Closing.</b> {@code close()} sends FIN after the data already handed to the tunnel (data
 *       still queued in the channel fails, as on a socket); with {@code SO_LINGER} 0, or
 *       {@link #reset(ErrorCode)}, it sends RESET instead. {@code shutdownOutput()} sends FIN after
 *       everything flushed before it. The peer's FIN is end of input (a close, or a
 *       {@code ChannelInputShutdownEvent} with {@code ALLOW_HALF_CLOSURE}). A RESET from the peer or a
 *       closed tunnel fires {@code exceptionCaught} with the {@link StreamResetException} /
 *       {@link org.p2pvm.TunnelClosedException} and closes the channel, as an ECONNRESET would. An
 *       exception of the application's that reaches the end of the pipeline unhandled is logged by
 *       Netty as usual and then resets the stream with {@code INTERNAL_ERROR}: a pipeline that failed
 *       that way is in an unknown state, and the peer would otherwise wait on it for ever (on a
 *       socket Netty leaves the connection open; HTTP/2 child channels do too).
 *   <li><b>Copies.</b> Inbound bytes are copied once, from the engine's read buffer into a pooled
 *       {@code ByteBuf}: pipelines may keep a {@code ByteBuf} (decoders accumulate), while the
 *       engine's buffer is valid only during its callback.
 * </ul>
 *
 * <h2>Threads</h2>
 * When the tunnel runs on a Netty {@link EventLoop} (the {@code netty} transport, or an upgraded
 * channel), the virtual channel is registered on that same loop whatever group the bootstrap offers,
 * and every event is handled inline, as HTTP/2 child channels share their parent's loop. Over any
 * other carrier (nio, grizzly, websocket), the channel stays on the loop the bootstrap gives it, and
 * tunnel events are handed to that loop in order; the connection's methods are thread-safe, so the
 * other direction needs no hand-off.
 */
public final class VmChannel extends AbstractChannel implements DuplexChannel {
    private static final Logger LOG = LoggerFactory.getLogger(VmChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final Tunnel tunnel;
    private final VmChannelConfig config;
    /** Set while AbstractChannel's constructor runs (it asks for the unsafe): no field initializer. */
    private PinnedUnsafe pinned;
    private final OutboundTickets outbound;
    private final InboundReader inbound;

    private volatile VmConnection connection;
    private volatile boolean open = true;
    private volatile boolean active;
    private volatile boolean outputShutdown;
    private VmAddress requestedLocal;

    // the rest is touched on the event loop only
    private boolean receiving;
    private ChannelPromise connectPromise;
    private SocketAddress connectRemote;
    private Future<?> connectTimeout;
    private ErrorCode resetCode;

    /**
     * A client channel that will connect through {@code tunnel} (to a {@link VmSocketAddress}).
     */
    public VmChannel(Tunnel tunnel) {
        super(null);
        this.tunnel = Objects.requireNonNull(tunnel, "tunnel");
        this.config = new VmChannelConfig(this);
        this.outbound = new OutboundTickets(() -> super.unsafe().outboundBuffer(), this::onLoop);
        this.inbound = new InboundReader(this, this::returnCredit);
    }

    /** An accepted channel over {@code connection}, child of {@code parent}. */
    VmChannel(VmServerChannel parent, VmConnection connection) {
        super(parent);
        this.tunnel = connection.tunnel();
        this.connection = connection;
        this.active = true;
        this.config = new VmChannelConfig(this);
        this.outbound = new OutboundTickets(() -> super.unsafe().outboundBuffer(), this::onLoop);
        this.inbound = new InboundReader(this, this::returnCredit);
    }

    /** A factory for {@code Bootstrap.channelFactory(...)}: client channels through {@code tunnel}. */
    public static ChannelFactory<VmChannel> factory(Tunnel tunnel) {
        Objects.requireNonNull(tunnel, "tunnel");
        return () -> new VmChannel(tunnel);
    }

    /** The tunnel this channel's connection lives in. */
    public Tunnel tunnel() {
        return tunnel;
    }

    /** The virtual connection under this channel; null before a client channel connects. */
    public VmConnection connection() {
        return connection;
    }

    @Override
    protected DefaultChannelPipeline newChannelPipeline() {
        return new DefaultChannelPipeline(this) {
            @Override
            protected void onUnhandledInboundException(Throwable cause) {
                boolean fromTheStream = cause instanceof StreamResetException || cause instanceof TunnelClosedException;
                super.onUnhandledInboundException(cause); // Netty's warning, as on any channel
                if (!fromTheStream && isOpen()) {
                    reset(ErrorCode.INTERNAL_ERROR); // the stream's own failures close the channel already
                }
            }
        };
    }

    /** Aborts the stream with RESET {@code code} (PROTOCOL.md §5) and closes the channel. */
    public ChannelFuture reset(ErrorCode code) {
        Objects.requireNonNull(code, "code");
        ChannelPromise promise = newPromise();
        onLoop(() -> {
            if (resetCode == null) {
                resetCode = code;
            }
            close(promise);
        });
        return promise;
    }

    @Override
    public Unsafe unsafe() {
        PinnedUnsafe u = pinned;
        if (u == null) {
            u = new PinnedUnsafe(super.unsafe(), this::preferredLoop);
            pinned = u;
        }
        return u;
    }

    private EventLoop preferredLoop() {
        Executor e = tunnel.executor();
        return e instanceof EventLoop loop ? loop : null;
    }

    @Override
    public VmChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && active;
    }

    @Override
    public VmServerChannel parent() {
        return (VmServerChannel) super.parent();
    }

    @Override
    public VmSocketAddress localAddress() {
        return (VmSocketAddress) super.localAddress();
    }

    @Override
    public VmSocketAddress remoteAddress() {
        return (VmSocketAddress) super.remoteAddress();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        // no IoHandle is registered: any event loop can run a virtual channel
        return true;
    }

    @Override
    protected SocketAddress localAddress0() {
        VmConnection c = connection;
        if (c != null) {
            return new VmSocketAddress(c.localAddress());
        }
        return requestedLocal == null ? null : new VmSocketAddress(requestedLocal);
    }

    @Override
    protected SocketAddress remoteAddress0() {
        VmConnection c = connection;
        return c != null && active ? new VmSocketAddress(c.remoteAddress()) : null;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new VmUnsafe();
    }

    @Override
    protected void doRegister() {
        if (connection != null) {
            startReceiving();
        }
    }

    private void startReceiving() {
        if (!receiving) {
            receiving = true;
            connection.setHandler(new Events(), false);
        }
    }

    @Override
    protected void doBind(SocketAddress local) {
        if (connection != null) {
            throw new AlreadyConnectedException();
        }
        requestedLocal = VmSocketAddress.vmAddressOf(local, "local");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doClose() {
        if (!open) {
            return;
        }
        boolean wasActive = active;
        open = false;
        inbound.release();
        outbound.abandon();
        ChannelPromise p = connectPromise;
        if (p != null) {
            connectPromise = null;
            cancelConnectTimeout();
            p.tryFailure(new ClosedChannelException());
        }
        VmConnection c = connection;
        if (c == null) {
            return;
        }
        if (resetCode != null) {
            c.reset(resetCode);
        } else if (!wasActive || config.getSoLinger() == 0) {
            c.reset(ErrorCode.CANCELLED);
        } else {
            c.close();
        }
    }

    @Override
    protected void doShutdownOutput() {
        outputShutdown = true;
        VmConnection c = connection;
        if (c != null) {
            c.shutdownOutput();
        }
    }

    @Override
    protected void doBeginRead() {
        if (isActive()) {
            inbound.beginRead();
        }
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        VmConnection c = connection;
        if (c == null) {
            throw new java.nio.channels.NotYetConnectedException();
        }
        outbound.write(in, c);
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            return msg;
        }
        throw new UnsupportedOperationException("a VmChannel writes ByteBuf only, not "
                + StringUtil.simpleClassName(msg) + " (for files use ChunkedWriteHandler)");
    }

    // ------------------------------------------------------------------ tunnel events (event loop)

    private void returnCredit(int bytes) {
        VmConnection c = connection;
        if (bytes > 0 && c != null) {
            c.consume(bytes);
        }
    }

    private void onConnectionClosed(Throwable failure) {
        if (connectPromise != null) {
            fulfillConnect(failure != null ? failure : new ClosedChannelException());
            return;
        }
        if (!open) {
            return;
        }
        if (failure == null) {
            inbound.streamDone();
            return;
        }
        inbound.release();
        if (!(failure instanceof StreamResetException r && !r.isRemote())) {
            pipeline().fireExceptionCaught(failure);
        }
        unsafe().close(voidPromise());
    }

    // ------------------------------------------------------------------ connecting (event loop)

    private void fulfillConnect(Throwable failure) {
        ChannelPromise p = connectPromise;
        if (p == null) {
            return;
        }
        connectPromise = null;
        cancelConnectTimeout();
        if (failure == null) {
            active = true;
            boolean promised = p.trySuccess();
            pipeline().fireChannelActive();
            if (!promised) {
                unsafe().close(voidPromise());
            }
        } else {
            p.tryFailure(connectFailure(failure, connectRemote));
            unsafe().close(voidPromise());
        }
    }

    private void cancelConnectTimeout() {
        if (connectTimeout != null) {
            connectTimeout.cancel(false);
            connectTimeout = null;
        }
    }

    private static Throwable connectFailure(Throwable failure, SocketAddress remote) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof ConnectException ce) {
            return ce; // e.g. the ConnectTimeoutException of CONNECT_TIMEOUT_MILLIS, kept as Netty users expect
        }
        String what = cause instanceof StreamResetException r && r.errorCode() == ErrorCode.REFUSED
                ? "connection refused: " + remote
                : "cannot connect to " + remote + ": " + cause.getMessage();
        ConnectException e = new ConnectException(what);
        e.initCause(cause);
        return e;
    }

    /** Runs {@code task} on this channel's event loop: inline when already there. */
    private void onLoop(Runnable task) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    // ------------------------------------------------------------------ DuplexChannel

    @Override
    public boolean isInputShutdown() {
        return inbound.isInputShutdown();
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    /** Discards inbound data from now on (still returning its credit, so the peer is not stalled). */
    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        onLoop(() -> {
            if (!open) {
                promise.tryFailure(new ClosedChannelException());
                return;
            }
            inbound.shutdownInput();
            promise.trySuccess();
        });
        return promise;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    /** Sends FIN after everything flushed before this call has been written (half close). */
    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        onLoop(() -> {
            if (!isActive()) {
                promise.tryFailure(new ClosedChannelException());
                return;
            }
            outbound.whenDrained(() -> ((AbstractUnsafe) pinnedDelegate()).shutdownOutput(promise));
        });
        return promise;
    }

    @Override
    public boolean isShutdown() {
        return inbound.isInputShutdown() && outputShutdown;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        shutdownOutput().addListener(f -> shutdownInput().addListener(g -> {
            Throwable cause = f.cause() != null ? f.cause() : g.cause();
            if (cause == null) {
                promise.trySuccess();
            } else {
                promise.tryFailure(cause);
            }
        }));
        return promise;
    }

    private Unsafe pinnedDelegate() {
        return ((PinnedUnsafe) unsafe()).delegate();
    }

    @Override
    public String toString() {
        VmConnection c = connection;
        return "VmChannel{" + id().asShortText() + (c == null ? " unconnected" : " #" + c.streamId() + " "
                + c.localAddress() + (isActive() ? " <-> " : " -x- ") + c.remoteAddress()) + '}';
    }

    // ------------------------------------------------------------------ inner classes

    /** The unsafe: Netty's, plus connect and a way to resume writing when the stream has room. */
    private final class VmUnsafe extends AbstractUnsafe {
        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            if (!promise.setUncancellable() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                if (connection != null) {
                    throw new AlreadyConnectedException();
                }
                VmAddress destination = VmSocketAddress.vmAddressOf(remote, "remote");
                VmAddress source = local != null ? VmSocketAddress.vmAddressOf(local, "local") : requestedLocal;
                VmConnection c = tunnel.open(destination, source);
                connection = c;
                connectPromise = promise;
                connectRemote = remote;
                startReceiving();
                int millis = config.getConnectTimeoutMillis();
                if (millis > 0) {
                    connectTimeout = eventLoop().schedule(() -> {
                        if (connectPromise == promise) {
                            fulfillConnect(new ConnectTimeoutException("virtual connection to " + remote
                                    + " not accepted within " + millis + " ms"));
                        }
                    }, millis, TimeUnit.MILLISECONDS);
                }
                c.established().whenComplete((x, e) -> onLoopSafe(() -> {
                    if (connectPromise == promise) {
                        fulfillConnect(e);
                    }
                }));
            } catch (Throwable t) {
                promise.tryFailure(t instanceof ConnectException || t instanceof IllegalArgumentException
                        || t instanceof AlreadyConnectedException || t instanceof ConnectionPendingException
                        ? t : connectFailure(t, remote));
                closeIfClosed();
            }
        }

        /** Hands more flushed data to the stream (it reported room). */
        void resumeWrites() {
            flush0();
        }
    }

    private void onLoopSafe(Runnable task) {
        try {
            onLoop(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: event loop gone, dropping a tunnel event", this);
        }
    }

    /** The connection's events, on the tunnel's executor, handed to the channel's loop in order. */
    private final class Events implements VmConnection.Handler {
        @Override
        public void onData(VmConnection c, ByteBuffer data) {
            // the engine's buffer is valid only during this call; pipelines may keep what they read
            ByteBuf buf = config.getAllocator().buffer(data.remaining());
            buf.writeBytes(data);
            try {
                onLoop(() -> inbound.data(buf));
            } catch (RejectedExecutionException e) {
                buf.release();
            }
        }

        @Override
        public void onInputShutdown(VmConnection c) {
            onLoopSafe(inbound::eof);
        }

        @Override
        public void onWritabilityChanged(VmConnection c) {
            onLoopSafe(() -> {
                if (c.isWritable() && open) {
                    ((VmUnsafe) pinnedDelegate()).resumeWrites();
                }
            });
        }

        @Override
        public void onClosed(VmConnection c, Throwable failure) {
            onLoopSafe(() -> onConnectionClosed(failure));
        }
    }
}
