package org.p2pvm.engine.internal;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.TunnelOptions;
import org.p2pvm.TunnelStats;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.engine.internal.frame.FrameReader;
import org.p2pvm.engine.internal.frame.ProtocolViolation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of a tunnel: the PROTOCOL.md v1 state machine over one {@link Carrier}.
 *
 * <p><b>Threading.</b> One owner: the carrier's serial executor. Every field that is not volatile or
 * concurrent is touched only there; public methods called from other threads hand their work over
 * with {@link #run}. No locks on the data path.
 *
 * <p><b>Life cycle.</b> HANDSHAKE (§4: only HELLO, AUTH, GOAWAY) → OPEN → CLOSING (a graceful GOAWAY
 * sent or received, §8: streams drain) → CLOSED (carrier closing; every stream failed). The close
 * future completes when the carrier reports itself closed.
 *
 * <p><b>Parts.</b> This class holds the state they share (the {@link State}, the peer's settings, the
 * tables, the writer), the public API, the hop to the executor and the flush; each protocol concept
 * is a package-private class of its own, all owned by the same executor and reaching this one's
 * fields: {@link TunnelHandshake} (§4), {@link InboundFrames} (the frames read), {@link StreamLifecycle}
 * (§5 open, reset, remove), {@link ReceiveCredit} (§6 receive side; the send side is
 * {@link BatchWriter}), {@link VirtualServers} (LISTEN, §5), {@link Liveness} (the timer, keepalive,
 * PINGs, §8) and {@link Shutdown} (GOAWAY, drain, close, §8).
 */
public final class TunnelImpl implements Tunnel {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelImpl.class);

    enum State { HANDSHAKE, OPEN, CLOSING, CLOSED }

    final Carrier carrier;
    final TunnelOptions options;
    /**
     * Control bytes queued for a carrier that does not take them, above which reading stops (flood
     * guard, {@link TunnelOptions#maxControlBacklogBytes()}).
     */
    final int controlHighWater;
    final EngineClock clock;
    final boolean dialer;
    private final FrameReader reader;
    final TunnelHandshake handshake;
    final BatchWriter writer;
    final ListenTable listens = new ListenTable();
    final PingTracker pings = new PingTracker();
    final StreamTable streams;
    private final Session session = new Session();
    private final InboundFrames inbound = new InboundFrames(this);
    final Shutdown shutdown = new Shutdown(this);
    final Liveness liveness = new Liveness(this);
    final VirtualServers servers = new VirtualServers(this);
    final StreamLifecycle lifecycle = new StreamLifecycle(this);
    final ReceiveCredit credit = new ReceiveCredit(this);

    volatile State state = State.HANDSHAKE;
    PeerSettings peer;
    private boolean readPaused;
    private boolean inRead;
    private boolean flushScheduled;

    // §10 flood guards
    RateLimit pingLimit;
    RateLimit resetLimit;
    RateLimit listenLimit;
    RateLimit emptyLimit;

    final TunnelCounters counters = new TunnelCounters();

    public TunnelImpl(Carrier carrier, TunnelOptions options, Consumer<? super Tunnel> onOpen) {
        this(carrier, options, onOpen, EngineClock.SYSTEM);
    }

    public TunnelImpl(Carrier carrier, TunnelOptions options, Consumer<? super Tunnel> onOpen, EngineClock clock) {
        this.carrier = carrier;
        this.options = options;
        this.controlHighWater = options.maxControlBacklogBytes();
        this.clock = clock;
        this.dialer = carrier.isDialer();
        this.reader = new FrameReader(options.maxFragmentSize());
        this.handshake = new TunnelHandshake(this, options.authToken(), onOpen);
        this.writer = new BatchWriter(this, carrier, options.maxBatchBytes());
        this.streams = new StreamTable(dialer);
    }

    /** Sends HELLO (§4 step 1) and arms the timers. Runs on the executor. */
    public void start() {
        long startNanos = clock.nanoTime();
        credit.start(startNanos);
        pingLimit = new RateLimit(options.maxPingsPerSecond(), startNanos);
        resetLimit = new RateLimit(options.maxResetsPerSecond(), startNanos);
        listenLimit = new RateLimit(options.maxListenChangesPerSecond(), startNanos);
        emptyLimit = new RateLimit(options.maxEmptyFramesPerSecond(), startNanos);
        handshake.sendHello();
        liveness.start(startNanos);
        flush();
    }

    /**
     * Starts and closes at once: the server's accept backlog is full ({@code maxPendingHandshakes},
     * PROTOCOL.md §10). HELLO then GOAWAY LIMIT_EXCEEDED, so the peer learns why. Runs on the executor.
     */
    public void refuseHandshake(int maxPendingHandshakes) {
        start();
        String why = maxPendingHandshakes + " carriers already in the handshake (maxPendingHandshakes)";
        LOG.info("tunnel {} refused: LIMIT_EXCEEDED {}", this, why);
        shutdown.closeNow(new CloseReason(ErrorCode.LIMIT_EXCEEDED, CloseReason.Origin.LOCAL, why), true);
    }

    public TunnelEngine.TunnelSession session() {
        return session;
    }

    // ================================================================== threading helpers

    /**
     * Runs {@code task} on the executor: inline when already there, else queued. Returns false when the
     * executor refuses the task: the transport's threads are gone (it was closed), so nothing can run
     * for this tunnel any more; callers fail their futures with {@link #stoppedException()}, and calls
     * without a result (close, reset, consume...) do nothing, as on a closed tunnel.
     */
    boolean run(Runnable task) {
        if (carrier.inExecutor()) {
            task.run();
            return true;
        }
        try {
            carrier.executor().execute(task);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("tunnel {}: executor refused a task (transport stopped)", this);
            return false;
        }
    }

    /** The failure for an operation that could not run because the executor is gone. */
    TunnelClosedException stoppedException() {
        TunnelClosedException c = shutdown.closeException;
        return c != null ? c : new TunnelClosedException(new CloseReason(ErrorCode.INTERNAL_ERROR,
                CloseReason.Origin.CARRIER, "the transport's executor is shut down (transport closed)"));
    }

    boolean inExecutor() {
        return carrier.inExecutor();
    }

    /** Asks for a flush at the end of the current read, or in a task of its own. */
    void requestFlush() {
        if (flushScheduled) {
            return;
        }
        flushScheduled = true;
        if (!inRead) {
            carrier.executor().execute(flushTask);
        }
    }

    private final Runnable flushTask = this::flush; // one object, not one per request

    private void flush() {
        flushScheduled = false;
        if (shutdown.carrierClosed) {
            return;
        }
        lifecycle.releaseDeferredOpens();
        writer.flush();
        if (shutdown.closingWhenDrained()) {
            return;
        }
        guardControlBacklog();
        shutdown.maybeFinishDrain();
    }

    /** Stops reading while our replies (PING ACKs, WINDOWs...) pile up unsent: the peer does not read. */
    private void guardControlBacklog() {
        boolean backlog = writer.controlPending() > controlHighWater;
        if (backlog != readPaused && !shutdown.carrierClosed) {
            readPaused = backlog;
            carrier.setReadEnabled(!backlog);
        }
    }

    // ================================================================== carrier events

    private final class Session implements TunnelEngine.TunnelSession {
        @Override
        public void onRead(ByteBuffer data) {
            TunnelImpl.this.onRead(data);
        }

        @Override
        public void onWritable() {
            flush();
        }

        @Override
        public void onClosed(Throwable cause) {
            shutdown.carrierClosed(cause);
        }

        @Override
        public CompletableFuture<Tunnel> handshake() {
            return handshake.future;
        }

        @Override
        public Tunnel tunnel() {
            return TunnelImpl.this;
        }
    }

    private void onRead(ByteBuffer data) {
        if (state == State.CLOSED) {
            data.position(data.limit());
            return;
        }
        liveness.onRead();
        counters.bytesReceived += data.remaining();
        inRead = true;
        try {
            reader.read(data, inbound);
        } catch (ProtocolViolation v) {
            violation(v);
            data.position(data.limit());
        } catch (RuntimeException e) {
            LOG.error("tunnel {}: internal error while reading", this, e);
            shutdown.closeNow(new CloseReason(ErrorCode.INTERNAL_ERROR, CloseReason.Origin.LOCAL, "internal error: " + e), true);
            data.position(data.limit());
        } finally {
            inRead = false;
        }
        if (flushScheduled) {
            flush();
        }
    }

    private void violation(ProtocolViolation v) {
        LOG.info("tunnel {} closing: {} {}", this, v.code(), v.getMessage());
        shutdown.closeNow(new CloseReason(v.code(), CloseReason.Origin.LOCAL, v.getMessage()), true);
    }

    void batchWritten() {
        if (lifecycle.hasDeferredOpens()) {
            requestFlush(); // room for the next OPENs
        }
        if (shutdown.closingWhenDrained()) {
            return;
        }
        guardControlBacklog();
        shutdown.maybeFinishDrain();
    }

    /** What pending operations fail with once the tunnel is closed; null while it is not. */
    TunnelClosedException closeException() {
        return shutdown.closeException;
    }

    void carrierWriteFailed(Throwable failure) {
        shutdown.carrierWriteFailed(failure);
    }

    // ================================================================== streams

    /** Test hook: the next id this end will open (§5 wrap-around tests). */
    void nextStreamIdForTest(int id) {
        streams.nextIdForTest(id);
    }

    void streamHasData(StreamImpl s) {
        if (!s.registered) {
            return; // OPEN not yet sent: registration will schedule it
        }
        writer.streamReady(s);
        requestFlush();
    }

    // ================================================================== public API

    @Override
    public CompletableFuture<VmConnection> connect(VmAddress destination) {
        return open(destination, null).established();
    }

    @Override
    public VmConnection open(VmAddress destination, VmAddress source) {
        java.util.Objects.requireNonNull(destination, "destination");
        StreamImpl s = new StreamImpl(this, true, source != null ? source : VmAddress.any(0), destination);
        if (!run(() -> lifecycle.open(s))) {
            s.fail(stoppedException());
        }
        return s;
    }

    @Override
    public CompletableFuture<Void> install(VmServer server) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        boolean queued = run(() -> servers.install(server, f));
        if (!queued) {
            f.completeExceptionally(stoppedException());
        }
        return f;
    }

    @Override
    public CompletableFuture<Void> uninstall(VmServer server) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        boolean queued = run(() -> servers.uninstall(server, f));
        if (!queued) {
            f.completeExceptionally(stoppedException());
        }
        return f;
    }

    @Override
    public Set<VmAddress> localListens() {
        return listens.localSnapshot();
    }

    @Override
    public Set<VmAddress> remoteListens() {
        return listens.remoteSnapshot();
    }

    @Override
    public CompletableFuture<Void> awaitRemoteListen(VmAddress address) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        boolean queued = run(() -> servers.awaitRemote(address, f));
        if (!queued) {
            f.completeExceptionally(stoppedException());
        }
        return f;
    }

    @Override
    public CompletableFuture<Duration> ping() {
        CompletableFuture<Duration> f = new CompletableFuture<>();
        if (!run(() -> liveness.sendPing(f))) {
            f.completeExceptionally(stoppedException());
        }
        return f;
    }

    @Override
    public TunnelStats stats() {
        return counters.snapshot(writer, reader.framesRead(), streams.size(), pings.smoothedRtt());
    }

    @Override
    public boolean isOpen() {
        return state == State.OPEN;
    }

    @Override
    public boolean isDialer() {
        return dialer;
    }

    @Override
    public SocketAddress carrierLocalAddress() {
        return carrier.localAddress();
    }

    @Override
    public SocketAddress carrierRemoteAddress() {
        return carrier.remoteAddress();
    }

    @Override
    public TunnelOptions options() {
        return options;
    }

    @Override
    public Executor executor() {
        return carrier.executor();
    }

    @Override
    public CompletableFuture<CloseReason> closeFuture() {
        return shutdown.closeFuture;
    }

    @Override
    public void close() {
        close(ErrorCode.NO_ERROR, "");
    }

    @Override
    public void close(ErrorCode code, String reason) {
        java.util.Objects.requireNonNull(code, "code");
        String text = reason == null ? "" : reason;
        run(() -> shutdown.close(code, text));
    }

    @Override
    public String toString() {
        return (dialer ? "dialer " : "acceptor ") + carrier.localAddress() + "->" + carrier.remoteAddress();
    }
}
