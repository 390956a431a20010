package org.p2pvm.transport.nio.internal;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The selector thread as an executor: task order, wake-ups, timers, shutdown. */
@Timeout(30)
class NioLoopTest {

    @Test
    void runsTasksFromManyThreadsInTheirSubmissionOrderPerThread() throws Exception {
        NioLoopGroup group = new NioLoopGroup(1, "loop-test", 1024, true);
        NioLoop loop = group.loops().get(0);
        try {
            int threads = 4;
            int perThread = 20_000;
            List<List<Integer>> seen = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                seen.add(new ArrayList<>());
            }
            CountDownLatch done = new CountDownLatch(threads * perThread);
            List<Thread> producers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                producers.add(new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int n = i;
                        loop.execute(() -> {
                            if (!loop.inLoop()) {
                                throw new AssertionError("task off the loop");
                            }
                            seen.get(id).add(n);
                            done.countDown();
                        });
                    }
                }));
            }
            producers.forEach(Thread::start);
            assertTrue(done.await(20, SECONDS));
            CompletableFuture<Boolean> ordered = new CompletableFuture<>();
            loop.execute(() -> {
                boolean ok = true;
                for (List<Integer> l : seen) {
                    for (int i = 0; i < l.size(); i++) {
                        ok &= l.get(i) == i;
                    }
                }
                ordered.complete(ok);
            });
            assertTrue(ordered.get(10, SECONDS));
            assertFalse(loop.inLoop());
        } finally {
            group.shutdown().get(10, SECONDS);
        }
    }

    @Test
    void timersRunInDeadlineOrderNeverEarlyAndCancelledOnesDoNot() throws Exception {
        NioLoopGroup group = new NioLoopGroup(1, "loop-test", 1024, true);
        NioLoop loop = group.loops().get(0);
        try {
            List<long[]> fired = new ArrayList<>(); // {deadline, ran at, index}
            NioLoop.Timer[] timers = new NioLoop.Timer[4];
            CompletableFuture<List<long[]>> done = new CompletableFuture<>();
            int[] delays = {40, 20, 30, 10};
            for (int i = 0; i < 4; i++) {
                int n = i;
                timers[i] = loop.schedule(() -> {
                    fired.add(new long[] {timers[n].deadlineNanos(), System.nanoTime(), n});
                    if (fired.size() == 3) {
                        loop.execute(() -> done.complete(new ArrayList<>(fired)));
                    }
                }, delays[i], MILLISECONDS);
            }
            timers[2].cancel();
            List<long[]> got = done.get(10, SECONDS);
            assertEquals(3, got.size(), "the cancelled timer did not run");
            for (int i = 0; i < got.size(); i++) {
                assertTrue(got.get(i)[2] != 2, "the cancelled timer ran");
                assertTrue(got.get(i)[1] - got.get(i)[0] >= 0, "a timer ran before its deadline");
                if (i > 0) {
                    assertTrue(got.get(i)[0] - got.get(i - 1)[0] >= 0, "timers ran out of deadline order");
                }
            }
        } finally {
            group.shutdown().get(10, SECONDS);
        }
    }

    @Test
    void shutdownEndsTheThreadAndRefusesLaterTasks() throws Exception {
        NioLoopGroup group = new NioLoopGroup(2, "loop-test-end", 1024, true);
        group.shutdown().get(10, SECONDS);
        assertTrue(group.awaitTermination(10, SECONDS));
        for (NioLoop l : group.loops()) {
            assertThrows(RejectedExecutionException.class, () -> l.execute(() -> { }));
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("loop-test-end")));
    }

    @Test
    void roundRobinSpreadsConnectionsOverTheLoops() throws Exception {
        NioLoopGroup group = new NioLoopGroup(3, "loop-test-rr", 1024, true);
        try {
            assertEquals(List.of(group.loops().get(0), group.loops().get(1), group.loops().get(2), group.loops().get(0)),
                    List.of(group.next(), group.next(), group.next(), group.next()));
        } finally {
            group.shutdown().get(10, SECONDS);
        }
    }
}
