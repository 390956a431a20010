package org.p2pvm.examples.forward;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The copy threads of {@link Splice}: a cached pool of daemon threads (idle ones die after 30 s).
 * Unbounded on purpose: a bounded pool would make one connection wait for another to finish, which
 * deadlocks protocols where the client waits for the server. Its size is the number of connections
 * forwarded at once, times two.
 */
public final class ForwardThreads {
    private ForwardThreads() {
    }

    /** A new pool; threads are named {@code prefix-N}. */
    public static ExecutorService newPool(String prefix) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory f = r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), f);
    }
}
