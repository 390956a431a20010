package org.p2pvm.transport.nio.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Carrier} on one TCP socket, pinned to one {@link NioLoop} whose thread is the tunnel's
 * serial executor.
 *
 * <h2>Threading</h2>
 * Everything runs on the loop thread; {@link #write}, {@link #close} and {@link #setReadEnabled}
 * called from another thread are handed to the loop. The {@link CarrierListener} is called on the
 * loop only. No locks.
 *
 * <h2>Writes</h2>
 * Each batch joins a {@link WriteQueue}; the carrier writes at once with gathering writes (at most
 * {@code writeSpinCount} per turn, so one busy socket cannot starve the others on the loop). When the
 * socket takes nothing, OP_WRITE is set until it drains; it is cleared as soon as the queue is empty
 * (a set OP_WRITE with nothing to write spins the selector). A batch's completion is called on the
 * loop, never inside {@code write} itself, once the socket has taken its last byte. The engine's
 * buffers are never copied or modified here (only their positions move); the JDK copies heap buffers
 * into its own direct buffers, which is why one gathering write is limited to about twice the
 * socket's send buffer (adapted as Netty's {@code NioSocketChannel} does). Completions run in batch
 * order; one that becomes due inside {@code write} is handed to a loop task.
 *
 * <h2>Writability</h2>
 * {@link #isWritable()} turns false when the queued bytes exceed {@code writeHighWaterMark} and true
 * again, with {@link CarrierListener#onWritable()}, once they fall to {@code writeLowWaterMark}.
 *
 * <h2>Reads</h2>
 * Into the loop's shared direct buffer; the listener must consume the bytes before {@code onRead}
 * returns (the {@link CarrierListener} contract). At most {@code maxReadsPerEvent} reads per
 * readiness event. {@code setReadEnabled(false)} clears OP_READ and stops the read loop at once.
 *
 * <h2>Close</h2>
 * {@code close(true)} stops delivering input, flushes the queue, sends FIN and closes once the peer
 * has closed its side too (a lingering close: see {@link #finishClosing()}), all within
 * {@code closeFlushTimeoutMillis}; {@code close(false)} closes at once. EOF or an I/O error close at
 * once. Queued batches then fail, and {@link CarrierListener#onClosed} is called exactly once (null
 * for a local close or EOF, else the error).
 */
public final class NioCarrier implements Carrier, SelectionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(NioCarrier.class);

    /**
     * OPEN; CLOSING: close(true) called, flushing the queue; OUTPUT_SHUT: flushed and FIN sent,
     * waiting for the peer's EOF; CLOSED: socket closed.
     */
    private enum State { OPEN, CLOSING, OUTPUT_SHUT, CLOSED }

    private final NioLoop loop;
    private final SocketChannel channel;
    private final ByteLink link;
    private final boolean dialer;
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;
    private final NioSettings settings;
    private final WriteQueue queue;
    private SelectionKey key;
    private CarrierListener listener;
    private State state = State.OPEN;
    private boolean readEnabled = true;
    /** The peer's EOF arrived while closing. */
    private boolean inputEnded;
    private boolean unwritable;
    /** OP_WRITE is wanted: the socket took nothing on the last attempt. */
    private boolean waitingForSocket;
    private boolean inFlush;
    private boolean inWrite;
    /** Completions waiting in loop tasks; later ones must queue behind them. */
    private int deferredCompletions;
    private boolean flushScheduled;
    private boolean closeNotified;
    private boolean closeNotifyPending;
    private Throwable pendingCloseCause;
    private NioLoop.Timer closeTimer;

    private NioCarrier(NioLoop loop, SocketChannel channel, ByteLink link, boolean dialer, NioSettings settings)
            throws IOException {
        this.loop = loop;
        this.channel = channel;
        this.link = link;
        this.dialer = dialer;
        this.settings = settings;
        this.localAddress = channel.getLocalAddress();
        this.remoteAddress = channel.getRemoteAddress();
        this.queue = new WriteQueue(2L * channel.socket().getSendBufferSize());
    }

    /**
     * Creates the carrier of a connected non-blocking socket and registers it with {@code loop}
     * (taking over the socket's existing key, if any). Loop thread only. Reads start with
     * {@link #attach}; writes are accepted at once (the engine sends HELLO from
     * {@code TunnelEngine.open}, before the listener exists).
     */
    public static NioCarrier open(NioLoop loop, SocketChannel channel, boolean dialer, NioSettings settings)
            throws IOException {
        NioCarrier c = new NioCarrier(loop, channel, new PlainByteLink(channel), dialer, settings);
        c.key = loop.register(channel, 0, c);
        return c;
    }

    /**
     * Sets the listener and starts reading. Loop thread only, once. If the link already closed (a
     * write failed while the engine started), {@code onClosed} is delivered now.
     */
    public void attach(CarrierListener carrierListener) {
        if (listener != null) {
            throw new IllegalStateException("listener already attached to " + this);
        }
        this.listener = Objects.requireNonNull(carrierListener, "listener");
        if (state == State.CLOSED) {
            if (closeNotifyPending) {
                notifyClosed(pendingCloseCause);
            }
        } else {
            updateInterest();
        }
    }

    @Override
    public Executor executor() {
        return loop;
    }

    @Override
    public boolean inExecutor() {
        return loop.inLoop();
    }

    @Override
    public boolean isDialer() {
        return dialer;
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public boolean isWritable() {
        return state == State.OPEN && !unwritable;
    }

    /** Bytes queued and not yet taken by the socket (for tests and stats). Loop thread only. */
    long queuedBytes() {
        return queue.queuedBytes();
    }

    /** The selection key's interest set, -1 once closed (for tests). Loop thread only. */
    int interestOps() {
        return key != null && key.isValid() ? key.interestOps() : -1;
    }

    @Override
    public void write(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        Objects.requireNonNull(buffers, "buffers");
        Objects.requireNonNull(completion, "completion");
        if (!loop.inLoop()) {
            try {
                loop.execute(() -> write(buffers, count, completion));
            } catch (RejectedExecutionException e) {
                completion.complete(closedFailure(null));
            }
            return;
        }
        if (state != State.OPEN) {
            failLater(completion, closedFailure(null));
            return;
        }
        queue.add(buffers, count, completion);
        if (!inFlush && !waitingForSocket) {
            inWrite = true;
            try {
                flush();
            } finally {
                inWrite = false;
            }
        }
        if (state == State.OPEN && !unwritable && queue.queuedBytes() > settings.writeHighWaterMark()) {
            unwritable = true;
        }
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        if (!loop.inLoop()) {
            try {
                loop.execute(() -> setReadEnabled(enabled));
            } catch (RejectedExecutionException e) {
                // the loop is gone and with it the socket: nothing left to read
            }
            return;
        }
        if (readEnabled != enabled) {
            readEnabled = enabled;
            updateInterest();
        }
    }

    @Override
    public void close(boolean flush) {
        if (!loop.inLoop()) {
            try {
                loop.execute(() -> close(flush));
            } catch (RejectedExecutionException e) {
                // the loop closed every socket on its way out
            }
            return;
        }
        if (state == State.CLOSED) {
            return;
        }
        if (!flush) {
            closeNow(null);
            return;
        }
        if (state == State.OPEN) {
            state = State.CLOSING;
            long timeout = settings.closeFlushTimeoutMillis();
            closeTimer = loop.schedule(() -> closeTimedOut(timeout), timeout, TimeUnit.MILLISECONDS);
            updateInterest();
            finishClosing();
        }
    }

    private void closeTimedOut(long timeout) {
        if (state == State.OUTPUT_SHUT) {
            // everything was flushed; the peer just never closed its side
            closeNow(null);
        } else {
            closeNow(new IOException("peer " + remoteAddress + " did not take the last " + queue.queuedBytes()
                    + " bytes within " + timeout + " ms of close"));
        }
    }

    /**
     * In CLOSING with nothing left to write: send FIN and wait for the peer's EOF before closing.
     * Closing a socket whose input holds unread bytes makes the kernel send RST, and an RST may
     * destroy the bytes just flushed before the peer has read them; so the carrier reads (and
     * discards) until the peer closes too, within {@code closeFlushTimeoutMillis}.
     */
    private void finishClosing() {
        if (state != State.CLOSING || !queue.isEmpty() || link.hasPendingOutput()) {
            return;
        }
        if (inputEnded) {
            closeNow(null);
            return;
        }
        try {
            link.shutdownOutput();
        } catch (IOException e) {
            closeNow(null); // the peer is gone already; everything was handed to the socket
            return;
        }
        state = State.OUTPUT_SHUT;
        waitingForSocket = false;
        updateInterest();
    }

    @Override
    public void ready(SelectionKey k) {
        int ops = k.readyOps();
        if ((ops & SelectionKey.OP_WRITE) != 0) {
            // write first: it frees queued memory (as Netty does)
            waitingForSocket = false;
            flush();
        }
        if ((ops & SelectionKey.OP_READ) != 0) {
            if (state == State.OPEN) {
                read();
            } else if (state != State.CLOSED) {
                discardInput();
            }
        }
    }

    /** Closing: read what the peer still sends and drop it, until its EOF. */
    private void discardInput() {
        ByteBuffer buf = loop.readBuffer();
        for (int i = 0; i < settings.maxReadsPerEvent(); i++) {
            buf.clear();
            int n;
            try {
                n = link.read(buf);
            } catch (IOException e) {
                closeNow(state == State.OUTPUT_SHUT ? null : e);
                return;
            }
            if (n < 0) {
                inputEnded = true;
                if (state == State.OUTPUT_SHUT) {
                    closeNow(null);
                } else {
                    updateInterest(); // still flushing: the peer may read on after its FIN
                }
                return;
            }
            if (n == 0) {
                return;
            }
        }
    }

    @Override
    public void loopClosing() {
        closeNow(new IOException("nio selector thread " + loop.name() + " shut down"));
    }

    private void read() {
        ByteBuffer buf = loop.readBuffer();
        int max = settings.maxReadsPerEvent();
        for (int i = 0; i < max && state == State.OPEN && readEnabled; i++) {
            buf.clear();
            int n;
            try {
                n = link.read(buf);
            } catch (IOException e) {
                closeNow(e);
                return;
            }
            if (n < 0) {
                closeNow(null);
                return;
            }
            if (n == 0) {
                break;
            }
            buf.flip();
            try {
                listener.onRead(buf);
            } catch (RuntimeException e) {
                LOG.error("carrier listener failed on {} bytes from {}; closing the carrier", n, remoteAddress, e);
                closeNow(e);
                return;
            }
            if (n < buf.capacity()) {
                break; // the socket is most likely empty: spare a read that returns 0
            }
        }
        if ((state == State.OPEN || state == State.CLOSING) && !waitingForSocket
                && (link.hasPendingOutput() || !queue.isEmpty())) {
            flush(); // a TLS link may have to answer what it read, or may take queued bytes now
        }
    }

    /** Writes queued batches until the queue is empty, the socket is full or the spin budget is spent. */
    private void flush() {
        if (inFlush || state == State.CLOSED || state == State.OUTPUT_SHUT) {
            return;
        }
        inFlush = true;
        boolean socketFull = false;
        try {
            int spins = settings.writeSpinCount();
            while (state == State.OPEN || state == State.CLOSING) {
                if (queue.isEmpty()) {
                    socketFull = !link.flushPendingOutput();
                    break;
                }
                int n = queue.gather();
                if (n == 0) {
                    completeDone(); // only empty batches left
                    continue;
                }
                long written;
                try {
                    written = link.write(queue.gathered(), 0, n);
                } catch (IOException e) {
                    queue.written(0);
                    throw e;
                }
                queue.written(written);
                completeDone();
                if (written == 0) {
                    socketFull = !link.writeNeedsInput();
                    break;
                }
                if (--spins == 0) {
                    scheduleFlush();
                    break;
                }
            }
        } catch (IOException e) {
            inFlush = false;
            closeNow(e);
            return;
        } finally {
            inFlush = false;
        }
        waitingForSocket = socketFull && (state == State.OPEN || state == State.CLOSING);
        updateInterest();
        if (state == State.CLOSING) {
            finishClosing();
        } else if (unwritable && state == State.OPEN && queue.queuedBytes() <= settings.writeLowWaterMark()) {
            unwritable = false;
            if (inWrite) {
                // do not call back into the engine while it is inside write()
                loop.execute(this::notifyWritable);
            } else {
                notifyWritable();
            }
        }
    }

    private void notifyWritable() {
        if (listener == null || state != State.OPEN || unwritable) {
            return;
        }
        try {
            listener.onWritable();
        } catch (RuntimeException e) {
            LOG.error("carrier listener failed in onWritable on {}; closing the carrier", remoteAddress, e);
            closeNow(e);
        }
    }

    private void scheduleFlush() {
        if (flushScheduled) {
            return;
        }
        flushScheduled = true;
        loop.execute(() -> {
            flushScheduled = false;
            if (!waitingForSocket) {
                flush();
            }
        });
    }

    private void completeDone() {
        WriteCompletion c;
        while ((c = queue.pollDone()) != null) {
            deliver(c, null);
        }
    }

    /**
     * Calls a completion inline, or from a task when the engine is inside {@link #write} (so that it
     * never sees its completion before write returns) or earlier completions still wait in tasks
     * (completions keep their order).
     */
    private void deliver(WriteCompletion c, Throwable failure) {
        if (inWrite || deferredCompletions > 0) {
            deferredCompletions++;
            try {
                loop.execute(() -> {
                    deferredCompletions--;
                    complete(c, failure);
                });
                return;
            } catch (RejectedExecutionException e) {
                deferredCompletions--;
            }
        }
        complete(c, failure);
    }

    private void complete(WriteCompletion c, Throwable failure) {
        try {
            c.complete(failure);
        } catch (RuntimeException e) {
            LOG.error("write completion failed on carrier {}", remoteAddress, e);
        }
    }

    private void failLater(WriteCompletion c, Throwable failure) {
        boolean wasInWrite = inWrite;
        inWrite = true;
        try {
            deliver(c, failure);
        } finally {
            inWrite = wasInWrite;
        }
    }

    private IOException closedFailure(Throwable cause) {
        return new IOException("nio carrier " + localAddress + " -> " + remoteAddress
                + " closed before the write completed", cause);
    }

    private void updateInterest() {
        if (key == null || !key.isValid()) {
            return;
        }
        int ops = 0;
        if (state == State.OPEN ? readEnabled && listener != null : !inputEnded) {
            ops |= SelectionKey.OP_READ; // while closing: to discard input until the peer's EOF
        }
        if (waitingForSocket && (state == State.OPEN || state == State.CLOSING)) {
            ops |= SelectionKey.OP_WRITE;
        }
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    private void closeNow(Throwable cause) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        waitingForSocket = false;
        if (closeTimer != null) {
            closeTimer.cancel();
        }
        if (key != null) {
            key.cancel();
        }
        link.close();
        if (cause != null) {
            LOG.debug("carrier {} -> {} closed by {}", localAddress, remoteAddress, cause.toString());
        }
        if (!queue.isEmpty()) {
            IOException failure = closedFailure(cause);
            WriteCompletion c;
            while ((c = queue.pollAny()) != null) {
                deliver(c, failure);
            }
        }
        notifyClosed(cause);
    }

    private void notifyClosed(Throwable cause) {
        if (closeNotified) {
            return;
        }
        if (listener == null) {
            closeNotifyPending = true;
            pendingCloseCause = cause;
            return;
        }
        closeNotified = true;
        closeNotifyPending = false;
        pendingCloseCause = null;
        try {
            listener.onClosed(cause);
        } catch (RuntimeException e) {
            LOG.error("carrier listener failed in onClosed on {}", remoteAddress, e);
        }
    }

    @Override
    public String toString() {
        return "nio carrier " + localAddress + (dialer ? " -> " : " <- ") + remoteAddress;
    }
}
