package org.p2pvm.bench.link;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.VmConnection;

/**
 * Sends {@code total} bytes on one virtual connection as fast as its writability allows, then FIN,
 * and completes {@link #done()} when the peer's one-byte answer (the {@link BenchServers#SINK}'s
 * end-to-end acknowledgement) arrives. Every write is a view of one shared read-only chunk, so the
 * bench allocates nothing per byte. Runs on the tunnel's executor after {@link #start()}.
 */
public final class Pump implements VmConnection.Handler {
    /** The shared payload: 64 KiB of direct memory, never written after creation. */
    static final ByteBuffer CHUNK = ByteBuffer.allocateDirect(64 * 1024);

    private final VmConnection connection;
    private final long total;
    private long remaining;
    private boolean finSent;
    /** {@link System#nanoTime()} when the second half of the bytes began to be written; 0 before. */
    private volatile long secondHalfStartNanos;
    private final CompletableFuture<Void> done = new CompletableFuture<>();

    /** @param total bytes to send; {@link Long#MAX_VALUE} pumps until the stream is reset */
    public Pump(VmConnection connection, long total) {
        this.connection = connection;
        this.total = total;
        this.remaining = total;
    }

    /** Opens a pump to {@link BenchServers#SINK} on {@code link}'s client end and starts it. */
    public static Pump toSink(TunnelLink link, long total) {
        VmConnection c = link.client().open(BenchServers.SINK, null);
        Pump p = new Pump(c, total);
        c.setHandler(p);
        p.start();
        return p;
    }

    /** Starts pumping (from any thread). */
    public void start() {
        connection.tunnel().executor().execute(this::fill);
    }

    /** Completes when the peer acknowledged the last byte; fails with the stream's failure. */
    public CompletableFuture<Void> done() {
        return done;
    }

    /**
     * When the pump began writing the second half of its bytes ({@link System#nanoTime()}), 0 before:
     * the time from here to {@link #done()} measures the transfer once any window ramp-up is over.
     */
    public long secondHalfStartNanos() {
        return secondHalfStartNanos;
    }

    /** The connection being pumped. */
    public VmConnection connection() {
        return connection;
    }

    private void fill() {
        while (remaining > 0 && connection.isWritable() && connection.isOpen()) {
            int n = (int) Math.min(CHUNK.capacity(), remaining);
            connection.write(CHUNK.duplicate().clear().limit(n), null);
            remaining -= n;
            if (secondHalfStartNanos == 0 && remaining <= total / 2) {
                secondHalfStartNanos = System.nanoTime();
            }
        }
        if (remaining == 0 && !finSent) {
            finSent = true;
            connection.shutdownOutput();
        }
    }

    @Override
    public void onWritabilityChanged(VmConnection c) {
        fill();
    }

    @Override
    public void onData(VmConnection c, ByteBuffer data) {
        data.position(data.limit());
        done.complete(null);
    }

    @Override
    public void onClosed(VmConnection c, Throwable failure) {
        if (failure != null) {
            done.completeExceptionally(failure);
        } else {
            done.complete(null);
        }
    }
}
