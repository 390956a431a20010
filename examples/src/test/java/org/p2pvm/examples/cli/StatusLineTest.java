package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.p2pvm.TunnelStats;

/** What the live status line ({@link MonitorOptions.Status}) says, driven with given stats and a manual clock. */
class StatusLineTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicReference<List<TunnelStats>> open = new AtomicReference<>(List.of());
    private final MonitorOptions.Status status = new MonitorOptions.Status(open::get, nanos::get);

    private static TunnelStats stats(long payloadIn, long payloadOut, int streams, Duration rtt) {
        return new TunnelStats(payloadOut + 100, payloadIn + 100, payloadOut, payloadIn, 10, 10, 5, 0, 0, 0, streams,
                rtt, 0, Map.of(), Map.of());
    }

    @Test
    void noTunnels() {
        nanos.addAndGet(1_000_000_000L);
        assertEquals("tunnels 0, streams 0, in 0 B/s, out 0 B/s, rtt 0.00 ms", status.get());
    }

    @Test
    void ratesAreTheDifferenceSinceTheLastLineOverTheTimeBetween() {
        open.set(List.of(stats(2 * 1024 * 1024, 512, 3, Duration.ofMillis(4)),
                stats(0, 1536, 2, Duration.ofNanos(12_500_000))));
        nanos.addAndGet(2_000_000_000L);
        // in: 2 MiB over 2 s; out: 2 KiB over 2 s; streams summed; the worst RTT.
        assertEquals("tunnels 2, streams 5, in 1.0 MiB/s, out 1.0 KiB/s, rtt 12.50 ms", status.get());

        open.set(List.of(stats(2 * 1024 * 1024 + 3000, 512, 1, Duration.ofMillis(4)),
                stats(0, 1536, 0, Duration.ofNanos(12_500_000))));
        nanos.addAndGet(500_000_000L);
        assertEquals("tunnels 2, streams 1, in 5.9 KiB/s, out 0 B/s, rtt 12.50 ms", status.get());
    }

    @Test
    void aClosedTunnelsCountersVanishingNeverGiveANegativeRate() {
        open.set(List.of(stats(10_000, 10_000, 1, Duration.ZERO), stats(5_000, 5_000, 1, Duration.ofMillis(1))));
        nanos.addAndGet(1_000_000_000L);
        status.get();
        open.set(List.of(stats(5_200, 5_000, 1, Duration.ofMillis(1))));
        nanos.addAndGet(1_000_000_000L);
        assertEquals("tunnels 1, streams 1, in 0 B/s, out 0 B/s, rtt 1.00 ms", status.get());
    }
}
