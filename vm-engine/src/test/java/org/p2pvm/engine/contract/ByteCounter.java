package org.p2pvm.engine.contract;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** Counts bytes from any thread and completes {@link #reached} once the count passes a threshold. */
final class ByteCounter {
    private final AtomicLong count = new AtomicLong();
    private final long threshold;
    final CompletableFuture<Void> reached = new CompletableFuture<>();

    ByteCounter(long threshold) {
        this.threshold = threshold;
    }

    void add(long n) {
        if (count.addAndGet(n) >= threshold) {
            reached.complete(null);
        }
    }

    long get() {
        return count.get();
    }
}
