package org.p2pvm.transport.websocket;

import org.p2pvm.transport.websocket.internal.WriteGauge;

/** Waits until a sender is stuck: bytes in flight and no write completing for a while. */
final class WriteGaugeProbe {
    private WriteGaugeProbe() {
    }

    /**
     * Polls until {@code gauge} has bytes queued and its completed count has not moved for five
     * polls in a row. Only the moment of the next assertions depends on this; no assertion depends
     * on timing (a sender that is merely slow passes the same bounds).
     */
    static void awaitQuiet(WriteGauge gauge) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        long last = -1;
        int quiet = 0;
        while (quiet < 5 && System.nanoTime() < deadline) {
            long now = gauge.completedBytes();
            quiet = gauge.queuedBytes() > 0 && now == last ? quiet + 1 : 0;
            last = now;
            Thread.sleep(100); // polling for quiescence
        }
    }
}
