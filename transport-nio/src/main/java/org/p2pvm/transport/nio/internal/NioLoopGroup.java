package org.p2pvm.transport.nio.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The selector threads of one transport. Connections are pinned to a loop picked round robin by
 * {@link #next()} and stay on it for life. Thread-safe.
 */
public final class NioLoopGroup {
    private final List<NioLoop> loops;
    private final AtomicInteger nextIndex = new AtomicInteger();

    /**
     * Creates and starts {@code threads} loops named {@code prefix-1 .. prefix-N}.
     *
     * @throws UncheckedIOException when a selector cannot be opened (the loops already started are
     *     stopped again)
     */
    public NioLoopGroup(int threads, String prefix, int readBufferSize, boolean daemon) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads is " + threads + " but must be at least 1");
        }
        List<NioLoop> created = new ArrayList<>(threads);
        try {
            for (int i = 1; i <= threads; i++) {
                created.add(new NioLoop(prefix + "-" + i, readBufferSize, daemon));
            }
        } catch (IOException e) {
            created.forEach(NioLoop::shutdown);
            throw new UncheckedIOException("cannot open a selector for the nio transport: " + e.getMessage(), e);
        }
        this.loops = List.copyOf(created);
        loops.forEach(NioLoop::start);
    }

    /** The loop for the next connection (round robin). */
    public NioLoop next() {
        return loops.get(Math.floorMod(nextIndex.getAndIncrement(), loops.size()));
    }

    public List<NioLoop> loops() {
        return loops;
    }

    /** Whether the calling thread is one of these loops (which must never wait for the group). */
    public boolean inAnyLoop() {
        for (NioLoop l : loops) {
            if (l.inLoop()) {
                return true;
            }
        }
        return false;
    }

    /** Shuts every loop down; completes when all threads have ended. */
    public CompletableFuture<Void> shutdown() {
        return CompletableFuture.allOf(loops.stream().map(NioLoop::shutdown).toArray(CompletableFuture[]::new));
    }

    /** Waits up to {@code timeout} for every thread to end; true if all did. */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (NioLoop l : loops) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0 || !l.awaitTermination(left)) {
                return false;
            }
        }
        return true;
    }
}
