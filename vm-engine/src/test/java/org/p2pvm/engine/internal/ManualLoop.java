package org.p2pvm.engine.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * A single-threaded executor stepped by the test: tasks run only inside {@link #runUntilIdle()}, on
 * the test's own thread, so engine tests are deterministic (STYLE.md: step the agent by hand).
 */
final class ManualLoop implements Executor {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;
    long tasksRun;

    @Override
    public void execute(Runnable command) {
        tasks.add(command);
    }

    boolean inLoop() {
        return running;
    }

    /** Runs tasks until none is left; fails if the engine spins. */
    void runUntilIdle() {
        if (running) {
            return;
        }
        running = true;
        try {
            int guard = 0;
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
                tasksRun++;
                if (++guard > 50_000_000) {
                    throw new AssertionError("engine does not settle: too many tasks");
                }
            }
        } finally {
            running = false;
        }
    }

    /** Runs {@code r} as a task of the loop and then everything it caused. */
    void runInLoop(Runnable r) {
        execute(r);
        runUntilIdle();
    }

    boolean idle() {
        return tasks.isEmpty();
    }
}
