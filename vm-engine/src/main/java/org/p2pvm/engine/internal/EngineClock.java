package org.p2pvm.engine.internal;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time for the engine's timers (handshake, keepalive, drain). Injected so engine tests step time by
 * hand instead of sleeping.
 */
public interface EngineClock {

    long nanoTime();

    /**
     * Runs {@code task} every {@code periodNanos} (on a timer thread: the task must hop to the
     * tunnel's executor itself).
     *
     * @return a handle whose {@code run()} cancels the timer
     */
    Runnable scheduleAtFixedRate(Runnable task, long periodNanos);

    /** The real clock: System.nanoTime and one shared daemon timer thread for every tunnel. */
    EngineClock SYSTEM = new EngineClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Runnable scheduleAtFixedRate(Runnable task, long periodNanos) {
            ScheduledFuture<?> f = Timer.INSTANCE.scheduleAtFixedRate(task, periodNanos, periodNanos,
                    TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }
    };

    /** Holder of the shared timer thread, created on first use. */
    final class Timer {
        static final ScheduledExecutorService INSTANCE = create();

        private static ScheduledExecutorService create() {
            java.util.concurrent.ScheduledThreadPoolExecutor e = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "p2pvm-timer");
                t.setDaemon(true);
                return t;
            });
            // closed tunnels must not leave their cancelled timers in the queue
            e.setRemoveOnCancelPolicy(true);
            return e;
        }

        private Timer() {
        }
    }
}
