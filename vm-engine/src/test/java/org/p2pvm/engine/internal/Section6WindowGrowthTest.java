package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/**
 * PROTOCOL.md §6 "Window growth" in virtual time: a window grows only while it, not the link or the
 * reader, limits the sender — while it is below twice the bandwidth-delay product measured as drain
 * rate × minimum RTT. The same reader gets growth on a long link and none on a short one; growth
 * stops once the window covers the link; a slow reader never gets growth and its buffered bytes stay
 * within the initial window; an idle window returns to the initial size.
 */
class Section6WindowGrowthTest {
    static final VmAddress SINK = VmAddress.parse("[::7]:7");
    static final int INITIAL = 64 * 1024;
    static final int MAX_STREAM = 8 << 20;
    static final long LONG_ONE_WAY = Duration.ofMillis(10).toNanos();
    static final long SHORT_ONE_WAY = 100_000L;
    /** A reader that drains 64 KiB per millisecond (≈ 65 MB/s), far above 64 KiB ÷ 20 ms. */
    static final int READER_BYTES_PER_MS = 64 * 1024;

    private final List<StreamImpl> accepted = new ArrayList<>();

    private EnginePair link(long oneWayNanos, boolean autoConsume) {
        TunnelOptions o = TunnelOptions.builder().initialStreamWindow(INITIAL).maxStreamWindow(MAX_STREAM)
                .initialTunnelWindow(16 << 20).keepaliveInterval(Duration.ofSeconds(100))
                .keepaliveTimeout(Duration.ofSeconds(300)).build();
        return new EnginePair(o, o, null, t -> t.install(VmServer.listen(SINK, c -> {
            accepted.add((StreamImpl) c);
            c.setHandler((conn, data) -> { }, autoConsume);
        })), Integer.MAX_VALUE, oneWayNanos);
    }

    /** {@code nanos} of virtual time: deliver what has arrived, run the engines. */
    private static void step(EnginePair p, long nanos) {
        p.clock.advance(Duration.ofNanos(nanos));
        p.dialerCarrier.releaseDue();
        p.acceptorCarrier.releaseDue();
        p.pump();
    }

    private static void awaitOpen(EnginePair p, long stepNanos) {
        for (int i = 0; !p.dialer.isOpen(); i++) {
            assertTrue(i < 10_000, "handshake did not finish");
            step(p, stepNanos);
        }
    }

    @Test
    void s6_fastReader_growsBeyondInitialWindow_andBeatsWindowOverRtt() {
        EnginePair p = link(LONG_ONE_WAY, true);
        awaitOpen(p, 1_000_000);
        VmConnection c = p.dialer.open(SINK, null);
        long bytes = 32L << 20;
        CompletableFuture<Void> done = c.write(ByteBuffer.allocate((int) bytes));
        c.shutdownOutput();
        long start = p.clock.nanoTime();
        int steps = 0;
        while (accepted.isEmpty() || !accepted.get(0).isInputShutdown()) {
            step(p, 1_000_000);
            assertTrue(++steps < 100_000, "transfer did not finish");
        }
        long elapsed = p.clock.nanoTime() - start;
        assertTrue(done.isDone());
        StreamImpl receiver = accepted.get(0);
        assertTrue(receiver.recvWindow.growths() > 0, "the window grew");
        double rtt = 2.0 * LONG_ONE_WAY;
        double fixedWindowNanos = bytes / (INITIAL / rtt);
        assertTrue(elapsed < fixedWindowNanos / 4, "with growth, " + bytes + " bytes took " + elapsed / 1e6
                + " ms of virtual time; a fixed " + INITIAL + "-byte window needs " + fixedWindowNanos / 1e6 + " ms");
    }

    @Test
    void s6_tunnelWindow_growsOnALongLink_andCapsEveryStreamsGrowth() {
        // a tunnel window of 1 MiB on a 20 ms link with a fast reader: the tunnel, not the stream, is
        // the limit once the stream has grown, so the tunnel window must grow too (§6), up to
        // maxTunnelWindow, and no stream may be granted more than the tunnel's target
        int initialTunnel = 1 << 20;
        int maxTunnel = 8 << 20;
        TunnelOptions o = TunnelOptions.builder().initialStreamWindow(INITIAL).maxStreamWindow(32 << 20)
                .initialTunnelWindow(initialTunnel).maxTunnelWindow(maxTunnel)
                .keepaliveInterval(Duration.ofSeconds(100)).keepaliveTimeout(Duration.ofSeconds(300)).build();
        EnginePair p = new EnginePair(o, o, null, t -> t.install(VmServer.listen(SINK, c -> {
            accepted.add((StreamImpl) c);
            c.setHandler((conn, data) -> { }, true);
        })), Integer.MAX_VALUE, LONG_ONE_WAY);
        awaitOpen(p, 1_000_000);
        VmConnection c = p.dialer.open(SINK, null);
        c.write(ByteBuffer.allocate(256 << 20));
        int maxStreamTarget = 0;
        for (int ms = 0; ms < 3000; ms++) {
            step(p, 1_000_000);
            if (!accepted.isEmpty()) {
                int streamTarget = accepted.get(0).recvWindow.target();
                int tunnelTarget = p.acceptor.credit.tunnelWindowTarget();
                assertTrue(streamTarget <= Math.max(INITIAL, tunnelTarget), "at " + ms + " ms the stream's window "
                        + streamTarget + " exceeds the tunnel's " + tunnelTarget);
                maxStreamTarget = Math.max(maxStreamTarget, streamTarget);
            }
        }
        int tunnelTarget = p.acceptor.credit.tunnelWindowTarget();
        assertTrue(tunnelTarget > initialTunnel, "the tunnel window grew beyond " + initialTunnel + ": " + tunnelTarget);
        assertEquals(maxTunnel, tunnelTarget, "and stopped at maxTunnelWindow");
        assertEquals(maxTunnel, maxStreamTarget, "the stream, allowed 32 MiB, was capped by the tunnel's 8 MiB");
    }

    @Test
    void s6_fatLink_windowFarBelowTheBdp_reachesTheMaximumInAFewRoundTrips() {
        // the defaults (256 KiB initial, 64 MiB maximum) on a 100 ms link that carries anything: one
        // doubling per round trip would need eight round trips and more (the tunnel's 16 MiB window
        // would hold the stream until its own cycles judged it); growth sized by the cycle, with the
        // tunnel window following the stream, takes three steps after the first RTT sample (§6)
        TunnelOptions o = TunnelOptions.builder().keepaliveInterval(Duration.ofSeconds(100))
                .keepaliveTimeout(Duration.ofSeconds(300)).build();
        EnginePair p = new EnginePair(o, o, null, t -> t.install(VmServer.listen(SINK, c -> {
            accepted.add((StreamImpl) c);
            c.setHandler((conn, data) -> { }, true);
        })), Integer.MAX_VALUE, Duration.ofMillis(50).toNanos());
        awaitOpen(p, 1_000_000);
        p.dialer.open(SINK, null).write(ByteBuffer.allocate(1 << 30));
        long start = p.clock.nanoTime();
        int max = o.maxStreamWindow();
        for (int ms = 0; accepted.isEmpty() || accepted.get(0).recvWindow.target() < max; ms++) {
            assertTrue(ms < 600, "after 6 round trips the window is only " + (accepted.isEmpty() ? 0
                    : accepted.get(0).recvWindow.target()) + " of " + max);
            step(p, 1_000_000);
        }
        long rtts = (p.clock.nanoTime() - start) / Duration.ofMillis(100).toNanos();
        StreamImpl r = accepted.get(0);
        assertTrue(r.recvWindow.growths() <= 4, r.recvWindow.growths() + " growth steps from "
                + o.initialStreamWindow() + " to " + max + " (reached after about " + rtts + " round trips)");
    }

    @Test
    void s6_growthFactor_aimsAtTwiceTheBdp_betweenTwoAndEight() {
        long rtt = 100;
        assertEquals(8, ReceiveWindow.growthFactor(100, rtt), "cycle = one RTT: the window is far below the BDP");
        assertEquals(8, ReceiveWindow.growthFactor(125, rtt), "window ≈ BDP / 4: ×8 (aims at 2 × BDP)");
        assertEquals(4, ReceiveWindow.growthFactor(150, rtt), "window ≈ BDP / 2: ×4");
        assertEquals(2, ReceiveWindow.growthFactor(190, rtt), "window ≈ BDP: at least ×2");
        assertEquals(8, ReceiveWindow.growthFactor(80, rtt), "a cycle below the minimum RTT (clock noise)");
    }

    /** Runs an endless sender against a reader draining {@link #READER_BYTES_PER_MS}; returns the receiver. */
    private StreamImpl drainAtReaderRate(EnginePair p, long stepNanos, long durationNanos) {
        awaitOpen(p, stepNanos);
        VmConnection c = p.dialer.open(SINK, null);
        c.write(ByteBuffer.allocate(256 << 20));
        int perStep = (int) (READER_BYTES_PER_MS * stepNanos / 1_000_000);
        for (long t = 0; t < durationNanos; t += stepNanos) {
            step(p, stepNanos);
            if (!accepted.isEmpty()) {
                accepted.get(0).consume(perStep);
            }
        }
        return accepted.get(0);
    }

    @Test
    void s6_shortLink_readerIsTheLimit_noGrowth() {
        // RTT 0.2 ms: the bandwidth-delay product is 64 KiB/ms × 0.2 ms ≈ 13 KiB, the 64 KiB window
        // already covers it five times; growing would only queue bytes ahead of other streams
        EnginePair p = link(SHORT_ONE_WAY, false);
        StreamImpl r = drainAtReaderRate(p, SHORT_ONE_WAY, Duration.ofMillis(500).toNanos());
        assertTrue(r.recvWindow.growths() == 0 && r.recvWindow.target() == INITIAL, "the window stayed at "
                + INITIAL + " (target " + r.recvWindow.target() + ", " + r.recvWindow.growths() + " growths)");
        long minRtt = p.acceptor.pings.minRttNanos();
        assertTrue(minRtt > 0 && minRtt <= 4 * SHORT_ONE_WAY, "the short RTT is known (" + minRtt + " ns)");
        assertEquals(16 << 20, p.acceptor.credit.tunnelWindowTarget(), "the tunnel window did not grow either");
    }

    @Test
    void s6_shortNarrowLink_theQueueDoesNotFeedGrowth() {
        // RTT 0.2 ms at 64 KiB/ms: the link, not the window, limits a fast reader. Bytes beyond the
        // bandwidth-delay product queue in the link (socket buffers), and RTT samples taken behind
        // them grow with the window; growth judged on those would feed itself (bufferbloat)
        EnginePair p = link(SHORT_ONE_WAY, true);
        for (ManualCarrier m : new ManualCarrier[] {p.dialerCarrier, p.acceptorCarrier}) {
            m.bytesPerMilli = READER_BYTES_PER_MS;
        }
        awaitOpen(p, SHORT_ONE_WAY);
        // one PING before the load: the path's own RTT (later samples wait behind the queue)
        CompletableFuture<Duration> rtt = p.acceptor.ping();
        for (int i = 0; !rtt.isDone(); i++) {
            assertTrue(i < 100, "PING not answered");
            step(p, SHORT_ONE_WAY);
        }
        p.dialer.open(SINK, null).write(ByteBuffer.allocate(256 << 20));
        for (long t = 0; t < Duration.ofMillis(2500).toNanos(); t += SHORT_ONE_WAY) {
            step(p, SHORT_ONE_WAY);
        }
        StreamImpl r = accepted.get(0);
        assertTrue(r.recvWindow.growths() == 0 && r.recvWindow.target() == INITIAL, "the window stayed at "
                + INITIAL + " (target " + r.recvWindow.target() + ", " + r.recvWindow.growths() + " growths)");
        assertTrue(p.acceptor.pings.smoothedRttNanos() > p.acceptor.pings.minRttNanos(), "RTT samples under "
                + "load included the queue: smoothed " + p.acceptor.pings.smoothedRttNanos() + " ns, minimum "
                + p.acceptor.pings.minRttNanos() + " ns");
    }

    @Test
    void s6_longLink_windowIsTheLimit_growsUntilItCoversTheLink_andNoFurther() {
        // the same reader at RTT 20 ms: 64 KiB per RTT is 3.2 KiB/ms, the window starves the sender
        EnginePair p = link(LONG_ONE_WAY, false);
        StreamImpl r = drainAtReaderRate(p, 1_000_000, Duration.ofSeconds(3).toNanos());
        long bdp = READER_BYTES_PER_MS * 2 * LONG_ONE_WAY / 1_000_000; // 1.25 MiB
        int target = r.recvWindow.target();
        assertTrue(r.recvWindow.growths() > 0 && target >= bdp, "the window grew to cover the link's "
                + bdp + " bytes: target " + target);
        assertTrue(target <= 4 * bdp && target < MAX_STREAM, "growth stopped near twice the bandwidth-delay "
                + "product (" + 2 * bdp + "), below maxStreamWindow " + MAX_STREAM + ": target " + target);
    }

    @Test
    void s6_slowReader_neverGetsGrowth_andHoldsAtMostTheInitialWindow() {
        EnginePair p = link(LONG_ONE_WAY, false);
        awaitOpen(p, 1_000_000);
        VmConnection c = p.dialer.open(SINK, null);
        c.write(ByteBuffer.allocate(4 << 20));
        c.shutdownOutput();
        long maxHeld = 0;
        for (int ms = 0; ms < 2000; ms++) {
            step(p, 1_000_000);
            if (!accepted.isEmpty()) {
                StreamImpl r = accepted.get(0);
                maxHeld = Math.max(maxHeld, r.deliveredUnconsumed + r.inboundBytes);
                r.consume(256); // 256 B per ms: a twelfth of window / RTT (64 KiB / 20 ms)
            }
        }
        StreamImpl r = accepted.get(0);
        assertEquals(0, r.recvWindow.growths(), "a slow reader never receives growth");
        assertEquals(INITIAL, r.recvWindow.target());
        assertTrue(maxHeld <= INITIAL, "held " + maxHeld + " bytes, more than the window " + INITIAL);
        assertTrue(maxHeld > 0);
    }

    @Test
    void s6_idleWindow_shrinksBackToInitial_andThePeerIsHeldToIt() {
        EnginePair p = link(LONG_ONE_WAY, false);
        StreamImpl r = drainAtReaderRate(p, 1_000_000, Duration.ofSeconds(1).toNanos());
        int grown = r.recvWindow.target();
        int growths = r.recvWindow.growths();
        assertTrue(grown > INITIAL, "precondition: the window grew (" + grown + ")");
        for (int ms = 0; ms < 1500; ms++) {
            step(p, 1_000_000); // the reader pauses: nothing consumed for 1.5 s
        }
        for (int ms = 0; ms < 1000; ms++) {
            step(p, 1_000_000);
            r.consume(256); // then drains slowly
        }
        assertEquals(INITIAL, r.recvWindow.target(), "after an idle second the target is the initial window");
        assertEquals(growths, r.recvWindow.growths(), "no growth for the slow reader that followed");
        assertTrue(r.recvWindow.credit() <= INITIAL, "the grown credit was not renewed: the peer holds "
                + r.recvWindow.credit() + " bytes of credit");
    }
}
