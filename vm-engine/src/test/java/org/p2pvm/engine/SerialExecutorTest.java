package org.p2pvm.engine;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    @Test
    void tasksRunOneAtATimeInSubmissionOrder_andKnowTheyAreInside() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            List<Integer> seen = new ArrayList<>(); // unsynchronised on purpose: serial execution makes it safe
            boolean[] inside = {true};
            CountDownLatch done = new CountDownLatch(1);
            for (int i = 0; i < 10_000; i++) {
                int n = i;
                serial.execute(() -> {
                    seen.add(n);
                    inside[0] &= serial.inExecutor();
                });
            }
            serial.execute(done::countDown);
            assertTrue(done.await(10, SECONDS));
            assertEquals(10_000, seen.size());
            for (int i = 0; i < seen.size(); i++) {
                assertEquals(i, seen.get(i));
            }
            assertTrue(inside[0]);
            assertFalse(serial.inExecutor());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aShutDownDelegate_isReportedOnEveryExecute_notOnlyTheFirst() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        pool.shutdown();
        SerialExecutor serial = new SerialExecutor(pool);
        for (int i = 0; i < 3; i++) {
            assertThrows(RejectedExecutionException.class, () -> serial.execute(() -> { }), "execute #" + i);
        }
    }
}
