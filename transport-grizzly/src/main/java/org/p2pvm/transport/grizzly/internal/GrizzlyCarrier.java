package org.p2pvm.transport.grizzly.internal;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CloseReason;
import org.glassfish.grizzly.CloseType;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.IOEvent;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.AsyncQueueEnabledTransport;
import org.glassfish.grizzly.asyncqueue.AsyncQueueWriter;
import org.glassfish.grizzly.asyncqueue.MessageCloner;
import org.glassfish.grizzly.asyncqueue.WritableMessage;
import org.glassfish.grizzly.attributes.Attribute;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.memory.BuffersBuffer;
import org.glassfish.grizzly.memory.MemoryManager;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's {@link Carrier} over one Grizzly TCP {@link Connection}: the glue between a tunnel and
 * Grizzly's read events, async write queue and close notification.
 *
 * <h2>Threading</h2>
 * The executor is the connection's selector thread ({@link SelectorExecutor}). All mutable state is
 * touched only there. {@link #onRead} is called by {@link CarrierFilter} on whatever thread the
 * connection's IO strategy runs the chain: on the selector thread (our own transport uses
 * {@code SameThreadIOStrategy}) the bytes go to the engine inline; on another thread (an upgraded
 * connection of an application whose transport uses worker threads) the chain context is suspended,
 * the buffer is handed to the executor, and the context is resumed once the engine has consumed it.
 * A suspended read context keeps Grizzly's read interest off, which is also how inbound backpressure
 * ({@link #setReadEnabled}) works: while reading is off, the last read's context stays suspended.
 *
 * <h2>Read bursts</h2>
 * Grizzly reads once per read event, and a write that completes at once is reported by a task that
 * runs before the next event; so with one read per event the engine would find its previous batch
 * done after every read and send what that read produced (a WINDOW or two) in a batch of its own.
 * Like the nio carrier, this one therefore reads on while the last read filled its buffer (at most
 * {@value #MAX_READS_PER_BURST} reads per event, on the selector thread of a plain TCP link), and for
 * the length of such a burst it reports itself unwritable: the engine queues its frames, and at the
 * end of the burst one {@link CarrierListener#onWritable} lets it send everything the burst produced
 * in one batch.
 *
 * <h2>Buffers</h2>
 * A read {@link Buffer} is owned by this class from {@link #onRead} until the engine consumed it; it is
 * then disposed. Outbound {@link ByteBuffer}s are wrapped (not copied) into one composite Grizzly
 * buffer per batch and handed to the connection's async write queue; they go back to the engine
 * with the write completion.
 */
public final class GrizzlyCarrier implements Carrier {
    private static final Logger LOG = LoggerFactory.getLogger(GrizzlyCarrier.class);
    /** Longest a flushing close waits for the writes to drain and the peer's EOF. */
    static final long CLOSE_LINGER_MILLIS = 10_000;
    /** Reads per read event at most (nio's {@code maxReadsPerEvent} default): bounds one link's turn. */
    static final int MAX_READS_PER_BURST = 16;
    /** Runs the close timeouts: one daemon thread for every carrier, idle but for them. */
    private static final java.util.concurrent.ScheduledExecutorService CLOSE_TIMER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "p2pvm-grizzly-close-timer");
                t.setDaemon(true);
                return t;
            });
    /** The carrier of a connection, once the tunnel is attached. */
    static final Attribute<GrizzlyCarrier> ATTRIBUTE =
            org.glassfish.grizzly.Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute(GrizzlyCarrier.class.getName());

    private final Connection<SocketAddress> connection;
    private final SelectorExecutor executor;
    private final boolean dialer;
    private final MemoryManager<?> memoryManager;
    private final AsyncQueueWriter<SocketAddress> writer;
    private final WriteHandler writePossible = new WritePossible();
    private final boolean throughChain;
    /** Reads more of a burst; null when only the filter chain may read (TLS, not TCP). */
    private final TCPNIOTransport tcp;
    /** Why the link failed before the tunnel started (TLS handshake), reported as the close cause. */
    private volatile Throwable setupFailure;

    // executor-confined state
    private CarrierListener listener;
    private boolean readEnabled = true;
    private boolean inRead;
    private boolean inWrite;
    /** In a read burst: {@link #isWritable} says no, so that the burst's frames leave in one batch. */
    private boolean inBurst;
    /** The engine asked {@link #isWritable} during the burst: it is owed an onWritable at its end. */
    private boolean writesHeld;
    private boolean writeNotifyArmed;
    private boolean closeNotified;
    private volatile boolean closeRequested;
    /** Batches handed to Grizzly whose completion has not come back yet. */
    private int outstanding;
    /** close(true) on a plain socket: FIN once {@link #outstanding} is 0, then read until the peer's EOF. */
    private boolean lingerWhenIdle;
    /** Bytes read but not yet given to the engine (no listener yet, or reading is off). */
    private Buffer parked;
    /** The read context left suspended while reading is off; resuming it turns Grizzly's read interest back on. */
    private FilterChainContext parkedContext;

    public GrizzlyCarrier(Connection<?> connection, boolean dialer) {
        this(connection, dialer, null, false);
    }

    /**
     * @param leftover bytes read from the connection before the carrier took it over (an upgrade);
     *     delivered to the engine before anything read later; may be null
     * @param throughChain whether writes go through the connection's filter chain (a TLS filter
     *     encrypts them) instead of straight to the async write queue
     */
    @SuppressWarnings("unchecked")
    public GrizzlyCarrier(Connection<?> connection, boolean dialer, Buffer leftover, boolean throughChain) {
        this.throughChain = throughChain;
        if (leftover != null && leftover.hasRemaining()) {
            this.parked = leftover;
        }
        this.connection = (Connection<SocketAddress>) connection;
        this.executor = new SelectorExecutor(connection);
        this.dialer = dialer;
        this.memoryManager = connection.getMemoryManager();
        this.writer = ((AsyncQueueEnabledTransport) connection.getTransport()).getAsyncQueueIO().getWriter();
        this.tcp = !throughChain && connection.getTransport() instanceof TCPNIOTransport
                ? (TCPNIOTransport) connection.getTransport() : null;
        ATTRIBUTE.set(connection, this);
        connection.addCloseListener((org.glassfish.grizzly.CloseListener<org.glassfish.grizzly.Closeable, org.glassfish.grizzly.CloseType>)
                (c, type) -> executor.execute(this::notifyClosed));
    }

    /** The carrier attached to {@code connection}, or null. */
    public static GrizzlyCarrier of(Connection<?> connection) {
        return ATTRIBUTE.get(connection);
    }

    /**
     * Starts delivering to {@code engine}; bytes parked before are delivered first. On the executor;
     * call once, right after {@link org.p2pvm.engine.TunnelEngine#open}.
     */
    public void attach(CarrierListener engine) {
        this.listener = engine;
        if (!connection.isOpen()) {
            notifyClosed();
            return;
        }
        drainParked();
    }

    /** The Grizzly connection under this carrier. */
    public Connection<SocketAddress> connection() {
        return connection;
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public boolean inExecutor() {
        return executor.inExecutor();
    }

    @Override
    public boolean isDialer() {
        return dialer;
    }

    // ---------------------------------------------------------------- reading

    /**
     * Takes {@code buffer} (ownership passes here) from the chain's last filter and returns the action
     * the filter must return.
     */
    NextAction onRead(FilterChainContext ctx, Buffer buffer) {
        if (executor.inExecutor()) {
            return readOnExecutor(ctx, buffer, false) ? ctx.getStopAction() : ctx.getSuspendAction();
        }
        ctx.suspend();
        executor.execute(() -> {
            if (readOnExecutor(ctx, buffer, true)) {
                ctx.resume(ctx.getStopAction());
            }
        });
        return ctx.getSuspendAction();
    }

    /**
     * Gives {@code buffer} to the engine, or parks it. @return true when the context may complete,
     * false when it stays suspended (parked) until reading is turned on again
     */
    private boolean readOnExecutor(FilterChainContext ctx, Buffer buffer, boolean suspended) {
        if (closeNotified || closeRequested) { // closing: drop what the peer still sends, until its EOF

            buffer.tryDispose();
            return true;
        }
        if (listener == null || !readEnabled || parked != null) {
            park(buffer);
        } else {
            readBurst(buffer, !suspended && tcp != null);
        }
        if (listener != null && readEnabled && parked == null) {
            return true;
        }
        if (!suspended) {
            ctx.suspend();
        }
        if (parkedContext != null) { // cannot happen while read interest is off; never leak one
            parkedContext.resume(parkedContext.getStopAction());
        }
        parkedContext = ctx;
        return false;
    }

    /**
     * Delivers {@code first} and, when {@code readMore}, what more the socket holds (see "Read bursts"),
     * then lets the engine write what the burst produced. Reading more is safe here: the read event is
     * still being processed, so Grizzly's read interest is off and nothing else reads the socket.
     */
    private void readBurst(Buffer first, boolean readMore) {
        int full = Math.min(TCPNIOTransport.MAX_RECEIVE_BUFFER_SIZE, connection.getReadBufferSize());
        inBurst = true;
        try {
            Buffer buffer = first;
            for (int reads = 1; ; reads++) {
                int n = buffer.remaining();
                deliver(buffer);
                if (!readMore || reads >= MAX_READS_PER_BURST || n < full || !readEnabled || closeRequested
                        || closeNotified || !connection.isOpen()) {
                    break; // a short read: the socket is most likely empty, spare a read that returns 0
                }
                buffer = readMore();
                if (buffer == null) {
                    break;
                }
            }
        } finally {
            inBurst = false;
            releaseHeldWrites(); // even when the engine threw: it must not wait for a burst that never comes
        }
    }

    /** The engine was told "not writable" during the burst: tell it it may write now. */
    private void releaseHeldWrites() {
        if (!writesHeld) {
            return;
        }
        writesHeld = false;
        // isWritable() arms Grizzly's write-possible notification when the queue is full, so the
        // engine hears onWritable either now or then
        if (listener != null && !closeNotified && isWritable()) {
            listener.onWritable();
        }
    }

    /** The next read of a burst, or null when the socket had nothing (or ended: Grizzly closed it). */
    private Buffer readMore() {
        Buffer more;
        try {
            more = tcp.read(connection, null);
        } catch (IOException e) {
            // EOF or a read error: Grizzly has closed the connection, its close listener reports it
            LOG.debug("read burst on {} ended: {}", connection, e.toString());
            return null;
        }
        if (more == null || more.position() == 0) {
            return null;
        }
        more.trim(); // as TransportFilter does: the bytes read, from 0
        return more;
    }

    private void park(Buffer buffer) {
        parked = parked == null ? buffer : Buffers.appendBuffers(memoryManager, parked, buffer);
    }

    private void deliver(Buffer buffer) {
        inRead = true;
        try {
            ByteBuffer bytes = buffer.isComposite() ? copy(buffer) : buffer.toByteBuffer();
            listener.onRead(bytes);
        } finally {
            inRead = false;
            buffer.tryDispose();
        }
    }

    /** A composite buffer (parked reads only) is flattened once, so it reaches the engine in one call. */
    private static ByteBuffer copy(Buffer buffer) {
        ByteBuffer flat = ByteBuffer.allocate(buffer.remaining());
        buffer.get(flat);
        return flat.flip();
    }

    private void drainParked() {
        if (parked != null && readEnabled && listener != null && !closeNotified) {
            Buffer b = parked;
            parked = null;
            deliver(b);
        }
        if (parked == null && readEnabled && listener != null && parkedContext != null) {
            FilterChainContext ctx = parkedContext;
            parkedContext = null;
            ctx.resume(ctx.getStopAction()); // completes the read event: Grizzly re-enables read interest
        }
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        if (enabled == readEnabled) {
            return;
        }
        readEnabled = enabled;
        try {
            if (!enabled) {
                if (!inRead) { // inside a read the context is parked on return instead
                    connection.disableIOEvent(IOEvent.READ);
                }
            } else {
                drainParked();
                if (readEnabled && parkedContext == null && connection.isOpen()) {
                    connection.enableIOEvent(IOEvent.READ);
                }
            }
        } catch (IOException e) {
            LOG.debug("cannot change read interest of {}", connection, e);
        }
    }

    // ---------------------------------------------------------------- writing

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void write(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        Buffer message;
        if (count == 1) {
            message = Buffers.wrap(memoryManager, buffers[0]);
        } else {
            Buffer[] parts = new Buffer[count];
            for (int i = 0; i < count; i++) {
                parts[i] = Buffers.wrap(memoryManager, buffers[i]);
            }
            message = BuffersBuffer.create(memoryManager, parts, false);
        }
        outstanding++;
        inWrite = true;
        try {
            if (throughChain) {
                connection.write(message, (CompletionHandler) new WriteDone(completion));
            } else {
                writer.write(connection, null, message, new WriteDone(completion), (MessageCloner<WritableMessage>) null);
            }
        } finally {
            inWrite = false;
        }
    }

    @Override
    public boolean isWritable() {
        if (inBurst) {
            writesHeld = true;
            return false;
        }
        boolean writable = connection.isOpen() && writer.canWrite(connection);
        if (!writable && connection.isOpen() && !writeNotifyArmed) {
            writeNotifyArmed = true;
            writer.notifyWritePossible(connection, writePossible);
        }
        return writable;
    }

    /** Completion of one batch: back on the executor, never inside the engine's own write call. */
    private final class WriteDone implements CompletionHandler<WriteResult<WritableMessage, SocketAddress>> {
        private final WriteCompletion completion;

        WriteDone(WriteCompletion completion) {
            this.completion = completion;
        }

        private void complete(Throwable failure) {
            if (executor.inExecutor() && !inWrite) {
                done(failure);
            } else {
                executor.execute(() -> done(failure));
            }
        }

        private void done(Throwable failure) {
            outstanding--;
            if (failure != null && !connection.isOpen()) {
                notifyClosed(); // the link's end (a peer's EOF, say) first: it, not this write, says why
            }
            completion.complete(failure);
            lingerIfIdle();
        }

        @Override
        public void completed(WriteResult<WritableMessage, SocketAddress> result) {
            complete(null);
        }

        @Override
        public void failed(Throwable throwable) {
            complete(throwable);
        }

        @Override
        public void cancelled() {
            complete(new IOException("write cancelled: connection closed"));
        }

        @Override
        public void updated(WriteResult<WritableMessage, SocketAddress> result) {
        }
    }

    /** Grizzly's "queue below its limit again" notification, turned into the engine's onWritable. */
    private final class WritePossible implements WriteHandler {
        @Override
        public void onWritePossible() {
            executor.execute(() -> {
                writeNotifyArmed = false;
                if (listener != null && !closeNotified) {
                    listener.onWritable();
                }
            });
        }

        @Override
        public void onError(Throwable t) {
            executor.execute(() -> writeNotifyArmed = false); // the close listener reports the failure
        }
    }

    // ---------------------------------------------------------------- closing

    /**
     * With {@code flush} on a plain socket: once every batch given so far has been written, sends FIN
     * and reads, dropping the bytes, until the peer's EOF makes Grizzly close the connection (a
     * lingering close). Closing a socket that still receives makes the kernel answer with RST, and an
     * RST may destroy the bytes just flushed before the peer has read them. At most
     * {@link #CLOSE_LINGER_MILLIS}. Over TLS (writes through the chain), Grizzly's own graceful close
     * (close_notify after the write queue drained).
     */
    @Override
    public void close(boolean flush) {
        if (closeRequested && flush) {
            return;
        }
        closeRequested = true;
        if (!flush) {
            connection.terminateSilently();
        } else if (throughChain || !(connection instanceof org.glassfish.grizzly.nio.NIOConnection)) {
            connection.close(); // Grizzly closes gracefully: after the async write queue drained
        } else {
            CLOSE_TIMER.schedule(() -> {
                if (connection.isOpen()) {
                    LOG.debug("{}: no EOF from the peer within {} ms of close; closing anyway", this,
                            CLOSE_LINGER_MILLIS);
                    connection.closeSilently();
                }
            }, CLOSE_LINGER_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
            lingerWhenIdle = true;
            if (!readEnabled || parked != null || parkedContext != null) {
                readEnabled = true; // read on, to see the EOF
                if (parked != null) {
                    parked.tryDispose();
                    parked = null;
                }
                drainParked();
                try {
                    connection.enableIOEvent(IOEvent.READ);
                } catch (IOException e) {
                    LOG.debug("cannot turn reading on for {}", connection, e);
                }
            }
            lingerIfIdle();
        }
    }

    private void lingerIfIdle() {
        if (!lingerWhenIdle || outstanding > 0) {
            return;
        }
        lingerWhenIdle = false;
        try {
            ((java.nio.channels.SocketChannel) ((org.glassfish.grizzly.nio.NIOConnection) connection).getChannel())
                    .shutdownOutput();
        } catch (IOException | RuntimeException e) {
            connection.closeSilently(); // the peer is gone already: everything was handed to the socket
        }
    }

    private void notifyClosed() {
        if (closeNotified || listener == null) { // without a listener, attach() reports the close
            return;
        }
        closeNotified = true;
        if (parked != null) {
            parked.tryDispose();
            parked = null;
        }
        parkedContext = null;
        if (listener != null) {
            listener.onClosed(cause());
        }
    }

    /** The TLS handshake failed before the tunnel started: closes the link; the failure is its cause. */
    void tlsFailed(Throwable failure) {
        setupFailure = failure;
        connection.closeSilently();
    }

    /** Null for an orderly end (our close, or the peer's FIN), else the I/O error. */
    private Throwable cause() {
        if (setupFailure != null) {
            return setupFailure;
        }
        CloseReason reason = connection.getCloseReason();
        if (closeRequested || reason == null) {
            return null;
        }
        IOException cause = reason.getCause();
        if (cause instanceof EOFException || reason.getType() == CloseType.LOCALLY && reason == CloseReason.LOCALLY_CLOSED_REASON) {
            return null;
        }
        return cause;
    }

    @Override
    public SocketAddress localAddress() {
        return connection.getLocalAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.getPeerAddress();
    }

    @Override
    public String toString() {
        return "GrizzlyCarrier{" + connection.getLocalAddress() + "->" + connection.getPeerAddress()
                + (dialer ? " dialer}" : " acceptor}");
    }
}
