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
    void timersRunInDeadlineOrderAndCancelledOnesDoNot() throws Exception {
        NioLoopGroup group = new NioLoopGroup(1, "loop-test", 1024, true);
        NioLoop loop = group.loops().get(0);
        try {
            List<String> fired = new ArrayList<>();
            CompletableFuture<List<String>> done = new CompletableFuture<>();
            loop.schedule(() -> fired.add("b"), 40, MILLISECONDS);
            loop.schedule(() -> fired.add("a"), 20, MILLISECONDS);
            NioLoop.Timer cancelled = loop.schedule(() -> fired.add("x"), 30, MILLISECONDS);
            cancelled.cancel();
            loop.schedule(() -> done.complete(new ArrayList<>(fired)), 60, MILLISECONDS);
            assertEquals(List.of("a", "b"), done.get(10, SECONDS));
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
