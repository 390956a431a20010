package org.p2pvm.transport.grizzly.internal;

import java.util.concurrent.Executor;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.nio.NIOConnection;
import org.glassfish.grizzly.nio.NIOTransport;
import org.glassfish.grizzly.nio.SelectorHandler;
import org.glassfish.grizzly.nio.SelectorRunner;
import org.p2pvm.engine.SerialExecutor;

/**
 * A tunnel's serial executor on the selector thread that owns a Grizzly connection.
 *
 * <p>Why the selector thread: a Grizzly TCP connection is registered with exactly one
 * {@link SelectorRunner} for its whole life. With {@code SameThreadIOStrategy} that runner's thread
 * also runs the filter chain, so the bytes Grizzly reads reach the engine on the same thread that
 * runs the engine's own tasks: no lock, no copy, no hand-off per read, like a Netty event loop.
 * Grizzly's default {@code WorkerThreadIOStrategy} would run successive events of one connection on
 * different worker threads, which is not serial with the engine's tasks.
 *
 * <p>Tasks go through a {@link SerialExecutor} (one FIFO queue per tunnel) whose turns are queued on
 * the runner with {@link SelectorHandler#enque}: Grizzly keeps tasks from the selector thread and
 * from other threads in two different queues, so the extra FIFO is what keeps submission order.
 * If the runner has stopped (transport shut down), the turn runs on the submitting thread so that
 * close notifications are never lost; nothing else runs on the runner by then.
 *
 * <p>Thread-safe.
 */
public final class SelectorExecutor implements Executor {
    private final SelectorRunner runner;
    private final SerialExecutor serial;

    /** @param connection a registered NIO connection (its selector runner is fixed from now on) */
    public SelectorExecutor(Connection<?> connection) {
        NIOConnection nio = (NIOConnection) connection;
        this.runner = nio.getSelectorRunner();
        if (runner == null) {
            throw new IllegalStateException("connection " + connection + " is not registered with a selector yet");
        }
        SelectorHandler handler = ((NIOTransport) nio.getTransport()).getSelectorHandler();
        this.serial = new SerialExecutor(turn -> handler.enque(runner, () -> {
            turn.run();
            return true;
        }, new CompletionHandler<SelectorHandler.Task>() {
            @Override
            public void cancelled() {
                turn.run(); // runner stopped: run the turn here rather than lose it
            }

            @Override
            public void failed(Throwable throwable) {
            }

            @Override
            public void completed(SelectorHandler.Task result) {
            }

            @Override
            public void updated(SelectorHandler.Task result) {
            }
        }));
    }

    @Override
    public void execute(Runnable task) {
        serial.execute(task);
    }

    /** Whether the caller is the selector thread of this connection (where reads and tasks run). */
    public boolean inExecutor() {
        return Thread.currentThread() == runner.getRunnerThread() || serial.inExecutor();
    }
}
