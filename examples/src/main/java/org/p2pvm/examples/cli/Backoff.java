package org.p2pvm.examples.cli;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with "equal jitter" between reconnection attempts: the n-th wait (n from 0) is
 * uniform in [cap/2, cap] where cap = min(max, initial * 2^n). The random half spreads out the
 * dialers that lost the same server, so they do not all come back in the same millisecond; the fixed
 * half keeps every wait at least cap/2, so a dialer never spins on a dead peer (full jitter, uniform
 * in [0, cap], can draw waits near zero). Not thread-safe (one dial loop owns it).
 */
final class Backoff {
    private final Duration initial;
    private final Duration max;
    private int attempt;

    Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** The wait before the next attempt; each call doubles the cap until {@code max}. */
    Duration next() {
        long cap = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempt, 20));
        attempt++;
        long low = cap / 2;
        return Duration.ofMillis(low + ThreadLocalRandom.current().nextLong(cap - low + 1));
    }

    /** Back to {@code initial} after a success. */
    void reset() {
        attempt = 0;
    }
}
