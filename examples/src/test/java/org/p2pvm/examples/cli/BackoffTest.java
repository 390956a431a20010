package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import org.junit.jupiter.api.Test;

/**
 * {@link Backoff}: every wait lies in [cap/2, cap], the cap doubles from {@code initial} up to
 * {@code max} and stays there, {@code reset} starts over, and the waits are spread over the range
 * (jitter), not pinned to one end.
 */
class BackoffTest {
    private static final Duration INITIAL = Duration.ofMillis(200);
    private static final Duration MAX = Duration.ofSeconds(5);

    /** The cap of the n-th wait (n from 0): 200, 400, 800, 1600, 3200, then 5000 for ever. */
    private static long cap(int n) {
        return Math.min(MAX.toMillis(), INITIAL.toMillis() << Math.min(n, 20));
    }

    @Test
    void everyWaitIsBetweenHalfTheCapAndTheCap_andTheCapDoublesUpToMax() {
        for (int run = 0; run < 200; run++) {
            Backoff b = new Backoff(INITIAL, MAX);
            for (int n = 0; n < 40; n++) {
                long wait = b.next().toMillis();
                long cap = cap(n);
                int attempt = n;
                assertTrue(wait >= cap / 2 && wait <= cap,
                        () -> "attempt " + attempt + ": " + wait + " ms not in [" + cap / 2 + ", " + cap + "]");
            }
        }
    }

    @Test
    void theCapGrowsByDoublingAndNeverPassesMax() {
        // Over many runs, the largest wait seen at attempt n is close to cap(n); the growth shows
        // as 200, 400, 800... and then flat at max, whatever the random draws.
        int attempts = 12;
        List<LongSummaryStatistics> perAttempt = new ArrayList<>();
        for (int n = 0; n < attempts; n++) {
            perAttempt.add(new LongSummaryStatistics());
        }
        for (int run = 0; run < 2000; run++) {
            Backoff b = new Backoff(INITIAL, MAX);
            for (int n = 0; n < attempts; n++) {
                perAttempt.get(n).accept(b.next().toMillis());
            }
        }
        for (int n = 0; n < attempts; n++) {
            LongSummaryStatistics s = perAttempt.get(n);
            long cap = cap(n);
            // 2000 uniform draws: the largest lies in the top 1% of the range unless p < 0.99^2000 (~2e-9).
            assertTrue(s.getMax() >= cap - cap / 100 && s.getMax() <= cap, "attempt " + n + ": " + s);
        }
        assertEquals(MAX.toMillis(), cap(attempts - 1));
    }

    @Test
    void waitsAreSpreadOverTheWholeRange_notPinnedToOneEnd() {
        LongSummaryStatistics s = new LongSummaryStatistics();
        for (int run = 0; run < 2000; run++) {
            Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofMillis(1000));
            s.accept(b.next().toMillis());
        }
        // Uniform in [500, 1000]: both ends are reached within 1% (fails for a fixed wait, for
        // "always the cap", or for full jitter's draws below cap/2).
        assertTrue(s.getMin() >= 500 && s.getMin() <= 505, s.toString());
        assertTrue(s.getMax() >= 995 && s.getMax() <= 1000, s.toString());
        assertTrue(s.getAverage() > 700 && s.getAverage() < 800, s.toString());
    }

    @Test
    void resetStartsOverAtInitial() {
        Backoff b = new Backoff(INITIAL, MAX);
        for (int n = 0; n < 10; n++) {
            b.next();
        }
        assertTrue(b.next().toMillis() >= MAX.toMillis() / 2);
        b.reset();
        long first = b.next().toMillis();
        assertTrue(first >= 100 && first <= 200, first + " ms after reset");
        long second = b.next().toMillis();
        assertTrue(second >= 200 && second <= 400, second + " ms as the second wait after reset");
    }

    @Test
    void aHugeAttemptCountDoesNotOverflowTheCap() {
        Backoff b = new Backoff(Duration.ofMillis(1), Duration.ofMinutes(10));
        for (int n = 0; n < 200; n++) {
            long wait = b.next().toMillis();
            assertTrue(wait >= 0 && wait <= Duration.ofMinutes(10).toMillis(), "attempt " + n + ": " + wait);
        }
    }
}
