package org.p2pvm.engine.internal;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Outstanding PINGs, the smoothed round trip time (PROTOCOL.md §8: PING round trips are the
 * tunnel's RTT measurement) and the minimum RTT seen, which window growth uses (§6: samples taken
 * under load include queueing; the minimum over the carrier's life is the path's own delay, as in
 * BBR's min-RTT filter; a carrier is one path). Owned by the tunnel's executor.
 */
final class PingTracker {
    /** Outstanding PINGs beyond this fail at once instead of growing the table. */
    static final int MAX_OUTSTANDING = 1024;

    private record Pending(long sentNanos, CompletableFuture<Duration> future) {
    }

    private final Map<Long, Pending> pending = new HashMap<>();
    private long nextOpaque = 1;
    private volatile long smoothedNanos;
    private long minNanos;
    private long lastSentNanos;
    private boolean sentAny;

    /** Registers a PING sent now; returns its opaque payload, or -1 when too many are outstanding. */
    long start(long nowNanos, CompletableFuture<Duration> future) {
        if (pending.size() >= MAX_OUTSTANDING) {
            return -1;
        }
        long opaque = nextOpaque++;
        pending.put(opaque, new Pending(nowNanos, future));
        lastSentNanos = nowNanos;
        sentAny = true;
        return opaque;
    }

    /** A PING ACK arrived; unknown payloads are ignored. */
    void onAck(long opaque, long nowNanos) {
        Pending p = pending.remove(opaque);
        if (p == null) {
            return;
        }
        long rtt = Math.max(0, nowNanos - p.sentNanos);
        long s = smoothedNanos;
        smoothedNanos = s == 0 ? Math.max(rtt, 1) : (7 * s + rtt) / 8;
        if (minNanos == 0 || rtt < minNanos) {
            minNanos = Math.max(rtt, 1);
        }
        if (p.future != null) {
            p.future.complete(Duration.ofNanos(rtt));
        }
    }

    /** Whether a PING was sent at least {@code nanos} ago, or never (nanoTime may be negative: no sentinel). */
    boolean quietFor(long nowNanos, long nanos) {
        return !sentAny || nowNanos - lastSentNanos >= nanos;
    }

    /** The smallest RTT seen, 0 before any. */
    long minRttNanos() {
        return minNanos;
    }

    Duration smoothedRtt() {
        return Duration.ofNanos(smoothedNanos);
    }

    long smoothedRttNanos() {
        return smoothedNanos;
    }

    void failAll(Throwable cause) {
        for (Pending p : pending.values()) {
            if (p.future != null) {
                p.future.completeExceptionally(cause);
            }
        }
        pending.clear();
    }
}
