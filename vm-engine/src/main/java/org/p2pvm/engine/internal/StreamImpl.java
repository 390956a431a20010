package org.p2pvm.engine.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.ErrorCode;
import org.p2pvm.StreamResetException;
import org.p2pvm.Tunnel;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream of PROTOCOL.md §5: the engine's {@link VmConnection}.
 *
 * <p><b>Threading.</b> Every field without {@code volatile} is owned by the tunnel's executor. Public
 * methods may be called from any thread; they hop to the executor ({@link TunnelImpl#run}). The
 * volatile fields mirror state for cheap reads from other threads.
 *
 * <p><b>Send side.</b> {@link #writes} holds application buffers (not copied); the tunnel's writer
 * takes one fragment at a time from the head (§7 fairness) within {@link #sendWindow} and the tunnel
 * window (§6).
 *
 * <p><b>Receive side.</b> {@link #recvWindow} is the credit the peer still has; data arriving while
 * no handler can take it is copied into {@link #inbound}, which the window bounds. Credit goes back
 * as data is consumed.
 *
 * <p><b>Memory.</b> A million idle streams must fit in about a KiB each, so what an idle stream may
 * never need is made on first use: the write queue ({@link #writes} starts as a shared empty queue),
 * the receive window ({@link #recvWindow()}, at the first DATA), the inbound queue, and the two futures ({@link #established()}, {@link #closeFuture()}), which are
 * created when first asked for or when their outcome is known, whichever comes first.
 */
final class StreamImpl implements VmConnection {
    private static final Logger LOG = LoggerFactory.getLogger(StreamImpl.class);

    final TunnelImpl tunnel;
    final boolean opener;
    /** Set once on the executor when an ephemeral source port is chosen, before OPEN is sent. */
    volatile VmAddress local;
    final VmAddress remote;
    volatile int id;

    /**
     * Shared by every stream that has not written yet; only ever read (empty). {@link #enqueueWrite}
     * replaces it with a queue of the stream's own before adding.
     */
    private static final ArrayDeque<PendingWrite> NO_WRITES = new ArrayDeque<>(0);

    // --- send side (executor) ---
    ArrayDeque<PendingWrite> writes = NO_WRITES;
    long queuedBytes;
    long sendWindow;
    boolean finQueued;
    boolean finSent;
    boolean inReadyQueue;
    boolean stalled;
    private CompletableFuture<Void> finFuture;

    // --- receive side (executor) ---
    /** Null until the first DATA: a window's state only starts to matter then (see {@link #recvWindow()}). */
    ReceiveWindow recvWindow;
    /** Ints, like {@link #inboundBytes}: both stay within the window (§6); a long each would cost 8 B per stream end. */
    int deliveredUnconsumed;
    private ArrayDeque<ByteBuffer> inbound;
    int inboundBytes;
    private Handler handler;
    private boolean autoConsume = true;
    private boolean paused;
    private boolean delivering;
    boolean finReceived;
    private boolean finDelivered;
    boolean discardInput;

    // --- lifecycle (executor) ---
    boolean registered;
    boolean established;
    boolean resetSent;
    boolean resetReceived;
    boolean removed;
    private boolean closedNotified;
    VmException failure;

    // --- mirrors for other threads ---
    private volatile boolean writable = true;
    private volatile boolean openFlag = true;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;

    /** Made on first use (see the class comment); set once, by compare-and-set. */
    private volatile CompletableFuture<VmConnection> establishedFuture;
    private volatile CompletableFuture<Void> closeFuture;
    /**
     * The outcome of {@link #established()} once known: {@link #ESTABLISHED} or the failure. Written
     * before the future is read, and read after the future is installed, so that one of the two
     * completes it. The close outcome needs no field of its own: {@link #openFlag} turns false after
     * {@link #failure} is set, and never back.
     */
    private volatile Object establishedOutcome;
    private static final Object ESTABLISHED = new Object();
    private static final VarHandle ESTABLISHED_FUTURE;
    private static final VarHandle CLOSE_FUTURE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            ESTABLISHED_FUTURE = l.findVarHandle(StreamImpl.class, "establishedFuture", CompletableFuture.class);
            CLOSE_FUTURE = l.findVarHandle(StreamImpl.class, "closeFuture", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    StreamImpl(TunnelImpl tunnel, boolean opener, VmAddress local, VmAddress remote) {
        this.tunnel = tunnel;
        this.opener = opener;
        this.local = local;
        this.remote = remote;
    }

    // ------------------------------------------------------------------ public API

    @Override
    public int streamId() {
        return id;
    }

    @Override
    public VmAddress localAddress() {
        return local;
    }

    @Override
    public VmAddress remoteAddress() {
        return remote;
    }

    @Override
    public Tunnel tunnel() {
        return tunnel;
    }

    @Override
    public CompletableFuture<VmConnection> established() {
        CompletableFuture<VmConnection> f = establishedFuture;
        if (f != null) {
            return f;
        }
        f = new CompletableFuture<>();
        if (!ESTABLISHED_FUTURE.compareAndSet(this, null, f)) {
            return establishedFuture;
        }
        Object outcome = establishedOutcome;
        if (outcome == ESTABLISHED) {
            f.complete(this);
        } else if (outcome != null) {
            f.completeExceptionally((Throwable) outcome);
        }
        return f;
    }

    @Override
    public void setHandler(Handler newHandler, boolean autoConsumeMode) {
        Objects.requireNonNull(newHandler, "handler");
        tunnel.run(() -> {
            handler = newHandler;
            autoConsume = autoConsumeMode;
            if (failure != null) {
                notifyClosed();
            } else {
                drainInbound();
            }
        });
    }

    @Override
    public void consume(int bytes) {
        if (bytes <= 0) {
            return;
        }
        tunnel.run(() -> {
            int n = Math.min(bytes, deliveredUnconsumed);
            if (n > 0) {
                deliveredUnconsumed -= n;
                consumed(n);
            }
        });
    }

    @Override
    public CompletableFuture<Void> write(ByteBuffer data) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        write(data, PendingWrite.toFuture(f));
        return f;
    }

    @Override
    public void write(ByteBuffer data, WriteListener listener) {
        Objects.requireNonNull(data, "data");
        PendingWrite w = new PendingWrite(this, data, listener);
        if (!tunnel.run(w)) {
            w.complete(tunnel.stoppedException());
        }
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public long pendingWriteBytes() {
        return queuedBytes;
    }

    @Override
    public CompletableFuture<Void> shutdownOutput() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (!tunnel.run(() -> queueFin(f))) {
            f.completeExceptionally(tunnel.stoppedException());
        }
        return f;
    }

    @Override
    public void pauseReading() {
        tunnel.run(() -> paused = true);
    }

    @Override
    public void resumeReading() {
        tunnel.run(() -> {
            paused = false;
            drainInbound();
        });
    }

    @Override
    public void reset(ErrorCode code) {
        Objects.requireNonNull(code, "code");
        tunnel.run(() -> tunnel.lifecycle.resetStream(this, code, "reset by application"));
    }

    @Override
    public void close() {
        tunnel.run(() -> {
            queueFin(null);
            if (!discardInput) {
                discardInput = true;
                discardBuffered();
                maybeClosedCleanly();
            }
        });
    }

    @Override
    public boolean isOpen() {
        return openFlag;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public CompletableFuture<Void> closeFuture() {
        CompletableFuture<Void> f = closeFuture;
        if (f != null) {
            return f;
        }
        f = new CompletableFuture<>();
        if (!CLOSE_FUTURE.compareAndSet(this, null, f)) {
            return closeFuture;
        }
        if (!openFlag) {
            VmException cause = failure; // written before openFlag turned false
            if (cause == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(cause);
            }
        }
        return f;
    }

    @Override
    public InputStream inputStream() {
        VmInputStream in = new VmInputStream(this);
        setHandler(in, false);
        return in;
    }

    @Override
    public OutputStream outputStream() {
        return new VmOutputStream(this, tunnel.options().streamWriteHighWaterMark());
    }

    @Override
    public String toString() {
        return "VmConnection{id=" + Integer.toUnsignedString(id) + ", " + local + " <-> " + remote + '}';
    }

    // ------------------------------------------------------------------ send side (executor)

    void enqueueWrite(PendingWrite w) {
        if (failure != null) {
            w.complete(failure);
            return;
        }
        if (finQueued) {
            w.complete(new VmException(ErrorCode.PROTOCOL_ERROR, "write after shutdownOutput on " + this));
            return;
        }
        if (w.remaining() == 0) {
            w.complete(null);
            return;
        }
        if (writes == NO_WRITES) {
            writes = new ArrayDeque<>(2);
        }
        writes.add(w);
        queuedBytes += w.remaining();
        updateWritability();
        tunnel.streamHasData(this);
    }

    private void queueFin(CompletableFuture<Void> f) {
        if (failure != null) {
            if (f != null) {
                f.completeExceptionally(failure);
            }
            return;
        }
        if (f != null) {
            if (finSent) {
                f.complete(null);
            } else if (finFuture == null) {
                finFuture = f;
            } else {
                finFuture.whenComplete((v, t) -> {
                    if (t == null) {
                        f.complete(null);
                    } else {
                        f.completeExceptionally(t);
                    }
                });
            }
        }
        if (!finQueued) {
            finQueued = true;
            outputShutdown = true;
            tunnel.streamHasData(this);
        }
    }

    /** Whether the writer can take a fragment or a FIN from this stream now. */
    boolean hasSendable() {
        if (failure != null || finSent) {
            return false;
        }
        if (writes.isEmpty()) {
            return finQueued;
        }
        return sendWindow > 0;
    }

    /** Called by the writer after taking {@code n} payload bytes. */
    void tookBytes(int n) {
        queuedBytes -= n;
        sendWindow -= n;
        updateWritability();
    }

    /** The writer put this stream's FIN in a batch. */
    void finWritten() {
        finSent = true;
        if (finFuture != null) {
            finFuture.complete(null);
            finFuture = null;
        }
        tunnel.lifecycle.terminalSent(this);
        maybeClosedCleanly();
    }

    void updateWritability() {
        int high = tunnel.options().streamWriteHighWaterMark();
        boolean now = writable ? queuedBytes <= high : queuedBytes <= high / 2;
        if (now != writable) {
            writable = now;
            if (handler != null) {
                try {
                    handler.onWritabilityChanged(this);
                } catch (RuntimeException e) {
                    handlerFailed(e);
                }
            }
        }
    }

    // ------------------------------------------------------------------ receive side (executor)

    /** A piece of DATA for this stream, already checked against both windows. */
    void onInbound(ByteBuffer piece, boolean fin) {
        int n = piece.remaining();
        if (n > 0) {
            if (discardInput) {
                consumed(n);
            } else if (handler != null && !paused && !delivering && (inbound == null || inbound.isEmpty())) {
                deliver(piece);
            } else {
                ByteBuffer copy = ByteBuffer.allocate(n);
                copy.put(piece).flip();
                if (inbound == null) {
                    inbound = new ArrayDeque<>(4);
                }
                inbound.add(copy);
                inboundBytes += n;
            }
        }
        if (fin) {
            finReceived = true;
            inputShutdown = true;
            tunnel.lifecycle.terminalReceived(this);
            drainInbound();
            maybeClosedCleanly(); // closed by the application, which set no handler: drainInbound said nothing
        }
    }

    private void deliver(ByteBuffer b) {
        int n = b.remaining();
        if (!autoConsume) {
            deliveredUnconsumed += n;
        }
        delivering = true;
        try {
            handler.onData(this, b);
        } catch (RuntimeException e) {
            handlerFailed(e);
        } finally {
            delivering = false;
        }
        if (autoConsume && failure == null) {
            consumed(n);
        }
    }

    /** Delivers buffered data (and a pending FIN) while a handler can take it. */
    void drainInbound() {
        if (delivering || failure != null || handler == null) {
            return;
        }
        while (!paused && inbound != null && !inbound.isEmpty() && failure == null) {
            ByteBuffer b = inbound.poll();
            inboundBytes -= b.remaining();
            deliver(b);
        }
        if (finReceived && !finDelivered && !paused && (inbound == null || inbound.isEmpty()) && failure == null) {
            finDelivered = true;
            try {
                handler.onInputShutdown(this);
            } catch (RuntimeException e) {
                handlerFailed(e);
            }
            maybeClosedCleanly();
        }
    }

    private void discardBuffered() {
        if (inbound != null && !inbound.isEmpty()) {
            int n = inboundBytes;
            inbound.clear();
            inboundBytes = 0;
            consumed(n);
        }
        if (deliveredUnconsumed > 0) {
            int n = deliveredUnconsumed;
            deliveredUnconsumed = 0;
            consumed(n);
        }
    }

    /**
     * This stream's receive window, made at first use with the initial credit the peer was promised
     * (§6). Making it late changes nothing: until bytes are consumed it is just that credit.
     */
    ReceiveWindow recvWindow() {
        ReceiveWindow w = recvWindow;
        if (w == null) {
            w = new ReceiveWindow(tunnel.options.initialStreamWindow(), tunnel.clock.nanoTime());
            recvWindow = w;
        }
        return w;
    }

    /** {@code n} bytes left the engine's hands: return their credit (§6). */
    private void consumed(int n) {
        tunnel.credit.tunnelConsumed(n);
        if (finReceived || failure != null) {
            return; // the peer sends nothing more on this stream: no stream credit needed
        }
        int inc = tunnel.credit.streamConsumed(recvWindow(), n);
        if (inc > 0) {
            tunnel.credit.sendWindowUpdate(id, inc);
        }
    }

    // ------------------------------------------------------------------ lifecycle (executor)

    private void handlerFailed(RuntimeException e) {
        LOG.warn("handler of {} threw; resetting the stream with INTERNAL_ERROR", this, e);
        tunnel.lifecycle.resetStream(this, ErrorCode.INTERNAL_ERROR, "handler threw " + e);
    }

    void markEstablished() {
        if (!established) {
            established = true;
            establishedOutcome = ESTABLISHED;
            CompletableFuture<VmConnection> f = establishedFuture;
            if (f != null) {
                f.complete(this);
            }
        }
    }

    private void maybeClosedCleanly() {
        if (failure == null && finSent && (finDelivered || discardInput && finReceived) && !closedNotified) {
            openFlag = false;
            closedNotified = true;
            CompletableFuture<Void> f = closeFuture;
            if (f != null) {
                f.complete(null);
            }
            if (handler != null) {
                try {
                    handler.onClosed(this, null);
                } catch (RuntimeException e) {
                    LOG.warn("onClosed of {} threw", this, e);
                }
            }
        }
    }

    /**
     * Ends the stream with {@code cause}: pending writes fail, buffered input is dropped (its tunnel
     * credit returned), futures fail, the handler hears {@code onClosed}.
     */
    void fail(VmException cause) {
        if (failure != null || closedNotified) {
            return;
        }
        failure = cause;
        openFlag = false;
        outputShutdown = true;
        inputShutdown = true;
        queuedBytes = 0;
        PendingWrite w;
        while ((w = writes.poll()) != null) {
            w.complete(cause);
        }
        if (finFuture != null) {
            finFuture.completeExceptionally(cause);
            finFuture = null;
        }
        int held = (int) ((long) inboundBytes + deliveredUnconsumed);
        if (inbound != null) {
            inbound.clear();
        }
        inboundBytes = 0;
        deliveredUnconsumed = 0;
        if (held > 0) {
            tunnel.credit.tunnelConsumed(held);
        }
        if (establishedOutcome == null) {
            establishedOutcome = cause;
            CompletableFuture<VmConnection> ef = establishedFuture;
            if (ef != null) {
                ef.completeExceptionally(cause);
            }
        }
        CompletableFuture<Void> cf = closeFuture;
        if (cf != null) {
            cf.completeExceptionally(cause);
        }
        notifyClosed();
    }

    private void notifyClosed() {
        if (closedNotified || handler == null) {
            return;
        }
        closedNotified = true;
        try {
            handler.onClosed(this, failure);
        } catch (RuntimeException e) {
            LOG.warn("onClosed of {} threw", this, e);
        }
    }

    static StreamResetException resetException(ErrorCode code, boolean remote, StreamImpl s, String detail) {
        return new StreamResetException(code, remote, (remote ? "reset by peer: " : "reset: ") + code
                + " on " + s + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
    }
}
