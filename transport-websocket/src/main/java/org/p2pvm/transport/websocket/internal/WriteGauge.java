package org.p2pvm.transport.websocket.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the outbound bytes that carriers hold: accepted through {@code Carrier.write} but not yet
 * completed. This is the memory a slow WebSocket reader can make a sender keep beyond the engine's
 * windows, so tests assert its high-water mark; operators may read it too.
 *
 * <p>Thread-safe (carriers on many I/O threads share one gauge per transport).
 */
public final class WriteGauge {
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong highWater = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();

    /** A carrier accepted {@code bytes}. */
    void add(long bytes) {
        long now = queued.addAndGet(bytes);
        highWater.accumulateAndGet(now, Math::max);
    }

    /** A carrier finished (or failed) a write of {@code bytes}. */
    void remove(long bytes, boolean written) {
        queued.addAndGet(-bytes);
        if (written) {
            completed.addAndGet(bytes);
        }
    }

    /** Bytes held by carriers now. */
    public long queuedBytes() {
        return queued.get();
    }

    /** The most bytes carriers held at any one time. */
    public long highWaterBytes() {
        return highWater.get();
    }

    /** Bytes whose writes completed successfully. */
    public long completedBytes() {
        return completed.get();
    }
}
