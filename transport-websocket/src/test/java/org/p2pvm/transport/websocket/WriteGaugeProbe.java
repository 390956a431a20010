package org.p2pvm.transport.websocket;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;

import org.p2pvm.transport.websocket.internal.WriteGauge;

/** Waits until a blocking writer is stuck behind a carrier that holds bytes it cannot send. */
final class WriteGaugeProbe {
    private WriteGaugeProbe() {
    }

    /**
     * Waits (Awaitility, at most 60 s) until {@code writer} is parked in a blocking write and
     * {@code gauge} has bytes queued. The assertions that follow are upper bounds that hold at any
     * moment; only when they are checked depends on this.
     */
    static void awaitStuck(WriteGauge gauge, Thread writer) {
        await().atMost(60, SECONDS).until(() -> gauge.queuedBytes() > 0
                && (writer.getState() == Thread.State.WAITING || writer.getState() == Thread.State.TIMED_WAITING));
    }
}
