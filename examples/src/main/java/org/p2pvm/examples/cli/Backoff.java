package org.p2pvm.examples.cli;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter between reconnection attempts: the n-th wait is uniform in
 * [cap/2, cap] where cap = min(max, initial * 2^n), so many dialers that lost the same server do not
 * all come back in the same millisecond. Not thread-safe (one dial loop owns it).
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
