package org.p2pvm.engine.memory;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;
import org.p2pvm.engine.SerialExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One end of an in-memory carrier: a {@link Carrier} for tests and in-process demos, made in
 * connected pairs by {@link #pair}. The wire between the ends behaves like a slow, bounded network
 * (see {@link MemoryLink.Settings}): it cuts the byte stream into pseudo-random chunks, holds at most
 * {@code bufferLimit} bytes in flight per direction before the writer becomes unwritable, and can
 * delay every chunk.
 *
 * <h2>Threads</h2>
 * Each end has its own {@link SerialExecutor} over a pool shared by the link's creator (the shared
 * daemon pool of {@link #pair(MemoryLink.Settings)}, or the {@link MemoryTransport}'s). The engine
 * calls {@link #write}, {@link #isWritable}, {@link #setReadEnabled} and {@link #close} on this end's
 * executor; this end calls its {@link CarrierListener} there too. {@link #setListener} and
 * {@link #kill} may be called from any thread.
 *
 * <h2>Buffers</h2>
 * A written batch is copied into the link before {@link #write} returns (the carrier keeps no
 * reference to it) and its completion runs on this end's executor afterwards. Each chunk handed to
 * {@link CarrierListener#onRead} is a view of one reusable array of this end; it is overwritten by
 * the next chunk, so a listener that kept a reference would see corrupted bytes. A listener that
 * returns without consuming the whole chunk breaks the contract and the link is killed.
 *
 * <h2>Closing</h2>
 * {@code close(true)} leaves the bytes already written in flight: the peer reads them, then sees EOF
 * ({@code onClosed(null)}). This end is told {@code onClosed(null)} at once, as a TCP socket closes
 * while the kernel still sends; bytes the peer writes from then on are discarded. {@code close(false)}
 * drops the bytes in flight. {@link #kill()} drops the whole link: both ends get
 * {@code onClosed(IOException("memory link killed"))}.
 */
public final class MemoryCarrier implements Carrier {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryCarrier.class);
    /** Chunks delivered per executor turn before the pump yields to other tasks. */
    private static final int CHUNKS_PER_TURN = 64;

    private final MemoryLink link;
    private final boolean dialer;
    private final MemoryAddress address;
    private final SerialExecutor executor;
    private final ScheduledExecutorService timer;
    private final MemoryPipe inbound;
    private final MemoryPipe outbound;
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The first close cause, wrapped so that a null cause (orderly close) is a value. */
    private final AtomicReference<Cause> closeCause = new AtomicReference<>();
    private volatile CarrierListener listener;
    private volatile boolean readEnabled = true;
    /** Confined to the executor. */
    private boolean closeNotified;

    MemoryCarrier(MemoryLink link, boolean dialer, MemoryAddress address, ScheduledExecutorService pool,
            MemoryPipe inbound, MemoryPipe outbound) {
        this.link = link;
        this.dialer = dialer;
        this.address = address;
        this.executor = new SerialExecutor(pool);
        this.timer = pool;
        this.inbound = inbound;
        this.outbound = outbound;
        outbound.writerWakeup(() -> executor.execute(this::fireWritable));
    }

    /**
     * Makes a connected pair whose executors borrow threads from a shared pool of daemon threads
     * ({@code p2pvm-memory-N}, as many as processors, idle ones exit).
     */
    public static MemoryLink pair(MemoryLink.Settings settings) {
        return pair(settings, "memory", MemoryThreads.shared());
    }

    /**
     * Makes a connected pair whose executors and delay timers run on {@code pool}.
     *
     * @param name a name for the ends' addresses and logs
     * @param pool the threads of both ends; the caller owns it and shuts it down after the link is closed
     */
    public static MemoryLink pair(MemoryLink.Settings settings, String name, ScheduledExecutorService pool) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(pool, "pool");
        return new MemoryLink(settings, name, pool, pool);
    }

    /**
     * Attaches the listener (normally the engine's {@code TunnelSession}). Bytes that arrived before
     * are held and delivered once it is set; so is a close. Set it once, from any thread.
     */
    public void setListener(CarrierListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        executor.execute(() -> {
            deliverClose();
            pump();
        });
    }

    /** The link this end belongs to. */
    public MemoryLink link() {
        return link;
    }

    /** Drops the whole link abruptly (see {@link MemoryLink#kill()}). Any thread. */
    public void kill() {
        link.kill();
    }

    /** Whether this end has closed (or was killed). Any thread. */
    boolean isClosed() {
        return closed.get();
    }

    /** Bytes this end wrote that the peer has not read yet. Any thread. */
    public long bytesInFlight() {
        return outbound.queued();
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

    @Override
    public void write(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        Objects.requireNonNull(completion, "completion");
        if (count < 0 || count > buffers.length) {
            throw new IllegalArgumentException("count is " + count + " but the array holds " + buffers.length);
        }
        if (closed.get()) {
            IOException failure = new IOException("memory carrier " + address + " is closed");
            executor.execute(() -> completion.complete(failure));
            return;
        }
        if (outbound.offer(buffers, count)) {
            peer().bytesWritten(outbound.delayNanos());
        }
        executor.execute(() -> completion.complete(null));
    }

    @Override
    public boolean isWritable() {
        return outbound.writable();
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        readEnabled = enabled;
        if (enabled) {
            schedulePump();
        }
    }

    @Override
    public void close(boolean flush) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        outbound.closeWriter(flush);
        inbound.closeReader();
        peer().schedulePump();
        notifyClosed(null);
    }

    @Override
    public SocketAddress localAddress() {
        return address;
    }

    @Override
    public SocketAddress remoteAddress() {
        return peer().address;
    }

    @Override
    public String toString() {
        return "MemoryCarrier{" + address + (closed.get() ? ", closed" : "") + '}';
    }

    /** The link was killed: drop everything and tell the listener why. */
    void killed(IOException cause) {
        closed.set(true);
        outbound.closeWriter(false);
        inbound.closeReader();
        notifyClosed(cause);
    }

    private MemoryCarrier peer() {
        return link.peerOf(this);
    }

    /** The peer wrote bytes for this end: deliver them now or when their delay has passed. */
    private void bytesWritten(long delayNanos) {
        if (delayNanos == 0) {
            schedulePump();
            return;
        }
        try {
            timer.schedule(this::schedulePump, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("memory carrier {}: timer shut down, delayed bytes dropped", address);
        }
    }

    private void schedulePump() {
        if (pumpScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::pump);
            } catch (RejectedExecutionException e) {
                pumpScheduled.set(false);
                LOG.debug("memory carrier {}: pool shut down, delivery stopped", address);
            }
        }
    }

    /** Delivers due chunks to the listener; runs on this end's executor. */
    private void pump() {
        pumpScheduled.set(false);
        for (int i = 0; i < CHUNKS_PER_TURN; i++) {
            CarrierListener l = listener;
            if (l == null || closed.get()) {
                return;
            }
            if (!readEnabled) {
                if (inbound.atEof()) {
                    endOfStream();
                }
                return;
            }
            int n = inbound.take(System.nanoTime());
            if (n == MemoryPipe.EOF) {
                endOfStream();
                return;
            }
            if (n < 0) {
                return; // EMPTY, or NOT_DUE: a timer armed by the write will call schedulePump
            }
            ByteBuffer chunk = ByteBuffer.wrap(inbound.chunk, 0, n);
            try {
                l.onRead(chunk);
            } catch (RuntimeException | Error e) {
                LOG.error("memory carrier {}: listener threw from onRead; killing the link", address, e);
                link.kill();
                return;
            }
            if (chunk.hasRemaining()) {
                LOG.error("memory carrier {}: listener left {} of {} bytes unconsumed (CarrierListener.onRead "
                        + "must consume everything); killing the link", address, chunk.remaining(), n);
                link.kill();
                return;
            }
        }
        schedulePump(); // more may be due: yield the thread, then go on
    }

    private void endOfStream() {
        if (closed.compareAndSet(false, true)) {
            inbound.closeReader();
            outbound.closeWriter(false);
            notifyClosed(null);
        }
    }

    private void notifyClosed(Throwable cause) {
        closeCause.compareAndSet(null, new Cause(cause));
        try {
            executor.execute(this::deliverClose);
        } catch (RejectedExecutionException e) {
            LOG.debug("memory carrier {}: pool shut down before onClosed could run", address);
        }
    }

    private void deliverClose() {
        Cause cause = closeCause.get();
        CarrierListener l = listener;
        if (cause == null || l == null || closeNotified) {
            return;
        }
        closeNotified = true;
        l.onClosed(cause.failure);
    }

    private void fireWritable() {
        CarrierListener l = listener;
        if (l != null && !closed.get() && !closeNotified) {
            l.onWritable();
        }
    }

    /** A close cause; {@code failure} is null for an orderly close. */
    private record Cause(Throwable failure) {
    }
}
