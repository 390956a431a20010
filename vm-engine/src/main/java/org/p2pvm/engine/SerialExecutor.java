package org.p2pvm.engine;

import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on threads borrowed from a delegate executor: the
 * tunnel's serial executor for carriers whose library has no per-connection event loop (Grizzly
 * worker threads, the JDK WebSocket client, the in-memory carrier).
 *
 * <p>Thread-safe; the queue is a lock-free MPSC queue. A task that throws is logged and the next one
 * runs. {@link #inExecutor()} tells whether the caller is the task currently running.
 */
public final class SerialExecutor implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);
    /** Tasks run per turn before yielding the delegate thread, so one busy tunnel cannot starve others. */
    private static final int BATCH = 1024;

    private final Executor delegate;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger state = new AtomicInteger(); // 0 idle, 1 scheduled/running
    private volatile Thread runner;
    private final Runnable drainTask = this::drain; // one object, not one per wake-up

    public SerialExecutor(Executor delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(Objects.requireNonNull(task, "task"));
        if (state.compareAndSet(0, 1)) {
            try {
                delegate.execute(drainTask);
            } catch (RejectedExecutionException e) {
                // the delegate is shut down: nothing queued here will ever run, and every later
                // execute must be refused too (not silently queued behind a drain that never comes)
                tasks.clear();
                state.set(0);
                throw e;
            }
        }
    }

    /** Whether the current thread is running a task of this executor. */
    public boolean inExecutor() {
        return runner == Thread.currentThread();
    }

    private void drain() {
        runner = Thread.currentThread();
        try {
            for (int i = 0; i < BATCH; i++) {
                Runnable r = tasks.poll();
                if (r == null) {
                    break;
                }
                try {
                    r.run();
                } catch (Throwable t) {
                    LOG.error("task failed on serial executor", t);
                }
            }
        } finally {
            runner = null;
            state.set(0);
            if (!tasks.isEmpty() && state.compareAndSet(0, 1)) {
                try {
                    delegate.execute(drainTask);
                } catch (RejectedExecutionException e) {
                    LOG.debug("serial executor: delegate shut down, {} queued tasks dropped", tasks.size());
                    tasks.clear();
                    state.set(0);
                }
            }
        }
    }
}
