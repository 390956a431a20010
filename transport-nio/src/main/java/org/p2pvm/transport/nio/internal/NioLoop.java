package org.p2pvm.transport.nio.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread: it owns a {@link Selector}, the channels registered with it, a direct read
 * buffer and a timer heap, and it is the serial executor of every tunnel pinned to it.
 *
 * <h2>Threading</h2>
 * {@link #execute}, {@link #schedule}, {@link #inLoop} and {@link #shutdown} may be called from any
 * thread. {@link #register} and {@link #readBuffer()} are for the loop's own thread. Other threads hand
 * work to the loop through a lock-free MPSC task queue; a producer wakes the selector at most once
 * per select (the {@code wakeupPending} flag), and never from the loop itself.
 *
 * <p>Each turn: select (without blocking when tasks wait), handle the ready keys, run due timers,
 * then run queued tasks (at most {@value #TASKS_PER_TURN}, so that tasks which queue tasks cannot
 * starve I/O). A task or handler that throws is logged and the loop goes on.
 */
public final class NioLoop implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(NioLoop.class);
    private static final int TASKS_PER_TURN = 1024;

    private final String name;
    private final Selector selector;
    private final Thread thread;
    private final ByteBuffer readBuffer;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    /** Loop thread only. */
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean shuttingDown;
    private volatile boolean acceptingTasks = true;
    private long timerSequence;

    /**
     * Opens the selector and creates (but does not start) the thread.
     *
     * @param readBufferSize size of the direct buffer every carrier of this loop reads into
     */
    public NioLoop(String name, int readBufferSize, boolean daemon) throws IOException {
        this.name = Objects.requireNonNull(name, "name");
        this.selector = Selector.open();
        this.readBuffer = ByteBuffer.allocateDirect(readBufferSize);
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(daemon);
    }

    /** Starts the thread. */
    public void start() {
        thread.start();
    }

    public String name() {
        return name;
    }

    /** Whether the calling thread is this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs {@code task} on the loop, after the tasks queued before it.
     *
     * @throws RejectedExecutionException once the loop has terminated
     */
    @Override
    public void execute(Runnable task) {
        Objects.requireNonNull(task, "task");
        if (!acceptingTasks) {
            throw new RejectedExecutionException("nio selector thread " + name + " is shut down");
        }
        tasks.add(task);
        if (!acceptingTasks && tasks.remove(task)) {
            // lost the race with the final drain of closeAll(): nobody would run it
            throw new RejectedExecutionException("nio selector thread " + name + " is shut down");
        }
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /**
     * Runs {@code task} on the loop after {@code delay}, unless cancelled first.
     *
     * @throws RejectedExecutionException once the loop has terminated
     */
    public Timer schedule(Runnable task, long delay, TimeUnit unit) {
        Timer t = new Timer(task, System.nanoTime() + unit.toNanos(delay));
        if (inLoop()) {
            addTimer(t);
        } else {
            execute(() -> addTimer(t));
        }
        return t;
    }

    private void addTimer(Timer t) {
        t.sequence = timerSequence++;
        timers.add(t);
    }

    /** The channels registered with this loop's selector now (diagnostics and tests). Loop thread only. */
    java.util.List<SelectableChannel> channels() {
        assert inLoop();
        return selector.keys().stream().filter(SelectionKey::isValid).map(SelectionKey::channel).toList();
    }

    /**
     * Registers {@code channel} with this loop's selector, or re-targets its existing key (a dialled
     * socket's key passes from the connector to the carrier). Loop thread only.
     */
    SelectionKey register(SelectableChannel channel, int ops, SelectionHandler handler) throws ClosedChannelException {
        assert inLoop();
        SelectionKey key = channel.keyFor(selector);
        if (key != null && key.isValid()) {
            key.attach(handler);
            key.interestOps(ops);
            return key;
        }
        return channel.register(selector, ops, handler);
    }

    /**
     * Deregisters the keys cancelled so far, which is when the JDK really closes their channels (a
     * registered channel's close is deferred until then). Ready keys found on the way are handled on
     * the next turn. Loop thread only.
     */
    void flushCancelledKeys() {
        assert inLoop();
        try {
            selector.selectNow();
        } catch (IOException e) {
            LOG.debug("selectNow on {} failed", name, e);
        }
    }

    /**
     * The loop's direct read buffer, shared by all its carriers: valid only until the reading
     * callback returns. Loop thread only.
     */
    ByteBuffer readBuffer() {
        assert inLoop();
        return readBuffer;
    }

    /**
     * Starts the shutdown: the loop closes every channel still registered (their handlers report the
     * loss), runs the tasks already queued, closes the selector and ends its thread. Idempotent.
     *
     * @return completes when the thread has finished its last task
     */
    public CompletableFuture<Void> shutdown() {
        shuttingDown = true;
        if (!thread.isAlive() && thread.getState() == Thread.State.NEW) {
            acceptingTasks = false;
            closeSelector();
            terminated.complete(null);
        } else {
            selector.wakeup();
        }
        return terminated;
    }

    /** Completes when the thread has ended. */
    public CompletableFuture<Void> terminationFuture() {
        return terminated;
    }

    /** Waits for the thread to end, at most {@code millis}; true if it ended. */
    public boolean awaitTermination(long millis) throws InterruptedException {
        thread.join(Math.max(1, millis));
        return !thread.isAlive();
    }

    private void run() {
        try {
            while (!shuttingDown) {
                select();
                processSelectedKeys();
                runTimers();
                runTasks(TASKS_PER_TURN);
            }
            closeAll();
        } catch (Throwable t) {
            LOG.error("nio selector thread {} failed; closing its connections", name, t);
            closeAll();
        } finally {
            closeSelector();
            terminated.complete(null);
        }
    }

    private void select() throws IOException {
        wakeupPending.set(false);
        // re-check after clearing the flag: a task queued before that saw the flag set and did not wake us;
        // keys selected by flushCancelledKeys() wait in the selected set and would not wake select()
        if (!tasks.isEmpty() || !selector.selectedKeys().isEmpty()) {
            selector.selectNow();
            return;
        }
        long delayNanos = nextTimerDelayNanos();
        if (delayNanos < 0) {
            selector.select();
        } else if (delayNanos == 0) {
            selector.selectNow();
        } else {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos + 999_999)));
        }
    }

    /** -1 when no timer is pending, else nanos until the earliest (0 when due). */
    private long nextTimerDelayNanos() {
        Timer t;
        while ((t = timers.peek()) != null && t.cancelled) {
            timers.poll();
        }
        return t == null ? -1 : Math.max(0, t.deadlineNanos - System.nanoTime());
    }

    private void processSelectedKeys() {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            if (!key.isValid()) {
                continue;
            }
            try {
                ((SelectionHandler) key.attachment()).ready(key);
            } catch (Throwable t) {
                LOG.error("handler failed on nio selector thread {}", name, t);
            }
        }
    }

    private void runTimers() {
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && (t.cancelled || t.deadlineNanos - now <= 0)) {
            timers.poll();
            if (!t.cancelled) {
                t.cancelled = true;
                safeRun(t.task);
            }
        }
    }

    private void runTasks(int max) {
        for (int i = 0; i < max; i++) {
            Runnable r = tasks.poll();
            if (r == null) {
                return;
            }
            safeRun(r);
        }
    }

    private void safeRun(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            LOG.error("task failed on nio selector thread {}", name, t);
        }
    }

    private void closeAll() {
        // tasks queued before the shutdown may still complete work (e.g. a late accept handover)
        runTasks(Integer.MAX_VALUE);
        List<SelectionKey> keys;
        try {
            keys = new ArrayList<>(selector.keys());
        } catch (RuntimeException e) {
            keys = List.of();
        }
        for (SelectionKey key : keys) {
            Object h = key.attachment();
            if (h instanceof SelectionHandler) {
                try {
                    ((SelectionHandler) h).loopClosing();
                } catch (Throwable t) {
                    LOG.error("closing a channel failed on nio selector thread {}", name, t);
                }
            }
            key.cancel();
        }
        // what the handlers' close callbacks queued runs here; anything queued after this is refused
        runTasks(Integer.MAX_VALUE);
        acceptingTasks = false;
        runTasks(Integer.MAX_VALUE);
        timers.clear();
    }

    private void closeSelector() {
        try {
            selector.close();
        } catch (IOException e) {
            LOG.debug("closing selector of {} failed", name, e);
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /** A task scheduled with {@link #schedule}; cancel it from any thread. */
    public static final class Timer implements Comparable<Timer> {
        private final Runnable task;
        private final long deadlineNanos;
        private long sequence;
        private volatile boolean cancelled;

        private Timer(Runnable task, long deadlineNanos) {
            this.task = Objects.requireNonNull(task, "task");
            this.deadlineNanos = deadlineNanos;
        }

        /** When it is due, on the {@link System#nanoTime()} scale. */
        long deadlineNanos() {
            return deadlineNanos;
        }

        /** Prevents the task from running if it has not run yet. */
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadlineNanos - o.deadlineNanos, 0);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
