package org.p2pvm.engine.internal;

import java.util.ArrayList;
import java.util.List;

/** An {@link EngineClock} moved by the test: timers fire only in {@link #advance}. */
final class ManualClock implements EngineClock {
    private long now = 1_000_000_000L;
    private final List<long[]> schedule = new ArrayList<>();
    private final List<Runnable> tasks = new ArrayList<>();

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Runnable scheduleAtFixedRate(Runnable task, long periodNanos) {
        long[] entry = {now + periodNanos, periodNanos, 0};
        schedule.add(entry);
        tasks.add(task);
        return () -> entry[2] = 1;
    }

    /** Moves time forward, firing due timers in order. */
    void advance(java.time.Duration d) {
        long target = now + d.toNanos();
        while (true) {
            long next = Long.MAX_VALUE;
            int which = -1;
            for (int i = 0; i < schedule.size(); i++) {
                long[] e = schedule.get(i);
                if (e[2] == 0 && e[0] <= target && e[0] < next) {
                    next = e[0];
                    which = i;
                }
            }
            if (which < 0) {
                break;
            }
            now = next;
            long[] e = schedule.get(which);
            e[0] += e[1];
            tasks.get(which).run();
        }
        now = target;
    }
}
