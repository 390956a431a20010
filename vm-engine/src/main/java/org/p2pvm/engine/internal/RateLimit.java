package org.p2pvm.engine.internal;

/**
 * A token bucket on the injected clock: {@code perSecond} events per second with a burst of ten
 * seconds' worth. Used to cap what a peer may make this end do for free (PING floods, rapid reset,
 * empty frames, listen churn: the HTTP/2 flood CVEs of 2019 and CVE-2023-44487). Owned by the
 * tunnel's executor.
 */
final class RateLimit {
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last;

    RateLimit(int perSecond, long nowNanos) {
        this.perNano = perSecond / 1e9;
        this.capacity = Math.max(1.0, perSecond * 10.0);
        this.tokens = capacity;
        this.last = nowNanos;
    }

    /** Takes one token; false when the bucket is empty (the peer exceeds the rate). */
    boolean tryTake(long nowNanos) {
        long dt = nowNanos - last;
        if (dt > 0) {
            tokens = Math.min(capacity, tokens + dt * perNano);
            last = nowNanos;
        }
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return true;
        }
        return false;
    }
}
