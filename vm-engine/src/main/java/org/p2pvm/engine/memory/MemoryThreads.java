package org.p2pvm.engine.memory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread pools of the in-memory carrier: daemon threads (an in-memory link must never keep a JVM
 * alive) that serve both the ends' serial executors and the one-way-delay timers.
 */
final class MemoryThreads {
    /** The owner of the pool the current thread belongs to (set by the thread factory). */
    private static final ThreadLocal<Object> OWNER = new ThreadLocal<>();

    private MemoryThreads() {
    }

    /** Whether the current thread is one of the pool threads made for {@code owner}. */
    static boolean isPoolThreadOf(Object owner) {
        return OWNER.get() == owner;
    }

    /** The pool of {@link MemoryCarrier#pair(MemoryLink.Settings)}: one thread per processor, idle threads exit. */
    static ScheduledExecutorService shared() {
        return Shared.POOL;
    }

    /**
     * A new pool of {@code threads} daemon threads named {@code prefix-N}; idle threads exit after
     * 30 s. The caller shuts it down.
     *
     * @param owner recognised by {@link #isPoolThreadOf} on the pool's threads
     */
    static ScheduledThreadPoolExecutor newPool(int threads, String prefix, Object owner) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(() -> {
                OWNER.set(owner);
                r.run();
            }, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(threads, factory);
        pool.setKeepAliveTime(30, TimeUnit.SECONDS);
        pool.allowCoreThreadTimeOut(true);
        pool.setRemoveOnCancelPolicy(true);
        return pool;
    }

    /** Lazy holder: the shared pool exists only once someone uses it. */
    private static final class Shared {
        static final ScheduledExecutorService POOL =
                newPool(Math.max(2, Runtime.getRuntime().availableProcessors()), "p2pvm-memory", Shared.class);
    }
}
