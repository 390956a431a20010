package org.p2pvm.examples.cli;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.p2pvm.examples.support.Failures;

/** Waits for a future on the command's thread and turns its failure into a one-line {@link CliFailure}. */
final class Await {
    private Await() {
    }

    /**
     * The future's value.
     *
     * @param what what was attempted, e.g. {@code "cannot listen on tcp://127.0.0.1:9988"}; the
     *     failure's description follows it after a colon
     * @throws CliFailure when the future fails or does not complete within {@code timeout}
     */
    static <T> T get(CompletableFuture<T> future, Duration timeout, String what) throws InterruptedException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            String why = Failures.describe(e);
            // Some transports already say what failed: "cannot listen on X: cannot listen on X: ..." reads badly.
            if (why.startsWith(what + ": ")) {
                why = why.substring(what.length() + 2);
            }
            throw new CliFailure(what + ": " + why, Failures.unwrap(e));
        } catch (TimeoutException e) {
            future.cancel(false);
            throw new CliFailure(what + ": no answer within " + Units.seconds(timeout), e);
        }
    }
}
