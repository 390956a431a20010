package org.p2pvm.engine.contract;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Bounded waits: nothing in the kit waits without a timeout, and a timeout says what it waited for. */
final class Waits {
    /** The longest single wait of a scenario. */
    static final long SECONDS = 20;

    private Waits() {
    }

    /** The future's value, or an AssertionError naming {@code what} on timeout or failure. */
    static <T> T await(CompletableFuture<T> future, String what) {
        return await(future, SECONDS, what);
    }

    static <T> T await(CompletableFuture<T> future, long seconds, String what) {
        try {
            return future.get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + seconds + " s waiting for " + what, e);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    /** The failure of a future that must fail (unwrapped), or an AssertionError if it succeeds or hangs. */
    static Throwable awaitFailure(CompletableFuture<?> future, String what) {
        try {
            Object v = future.get(SECONDS, TimeUnit.SECONDS);
            throw new AssertionError(what + " should have failed but completed with " + v);
        } catch (TimeoutException e) {
            throw new AssertionError("timed out after " + SECONDS + " s waiting for " + what + " to fail", e);
        } catch (ExecutionException e) {
            return unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + what, e);
        }
    }

    /** Runs {@code task} on {@code executor} (a tunnel's) and waits for its value. */
    static <T> T on(Executor executor, Supplier<T> task, String what) {
        return await(CompletableFuture.supplyAsync(task, executor), what);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
