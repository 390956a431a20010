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
 * PROTOCOL.md §6 "Window growth" on a long link simulated in virtual time: a fast reader gets more
 * credit than the initial window and so beats window ÷ RTT; a slow reader never gets growth and its
 * buffered bytes stay within the initial window.
 */
class Section6WindowGrowthTest {
    static final VmAddress SINK = VmAddress.parse("[::7]:7");
    static final int INITIAL = 64 * 1024;
    static final long ONE_WAY = Duration.ofMillis(10).toNanos();

    private final List<StreamImpl> accepted = new ArrayList<>();

    private EnginePair longLink(boolean autoConsume) {
        TunnelOptions o = TunnelOptions.builder().initialStreamWindow(INITIAL).maxStreamWindow(8 << 20)
                .initialTunnelWindow(16 << 20).keepaliveInterval(Duration.ofSeconds(100))
                .keepaliveTimeout(Duration.ofSeconds(300)).build();
        EnginePair p = new EnginePair(o, o, null, t -> t.install(VmServer.listen(SINK, c -> {
            accepted.add((StreamImpl) c);
            c.setHandler((conn, data) -> { }, autoConsume);
        })), Integer.MAX_VALUE);
        for (ManualCarrier c : new ManualCarrier[] {p.dialerCarrier, p.acceptorCarrier}) {
            c.clock = p.clock;
            c.delayNanos = ONE_WAY;
        }
        return p;
    }

    /** One millisecond of virtual time: deliver what has arrived, run the engines. */
    private static void step(EnginePair p) {
        p.clock.advance(Duration.ofMillis(1));
        p.dialerCarrier.releaseDue();
        p.acceptorCarrier.releaseDue();
        p.pump();
    }

    @Test
    void s6_fastReader_growsBeyondInitialWindow_andBeatsWindowOverRtt() {
        EnginePair p = longLink(true);
        while (!p.dialer.isOpen()) {
            step(p);
        }
        VmConnection c = p.dialer.open(SINK, null);
        long bytes = 32L << 20;
        CompletableFuture<Void> done = c.write(ByteBuffer.allocate((int) bytes));
        c.shutdownOutput();
        long start = p.clock.nanoTime();
        int steps = 0;
        while (accepted.isEmpty() || !accepted.get(0).isInputShutdown()) {
            step(p);
            assertTrue(++steps < 100_000, "transfer did not finish");
        }
        long elapsed = p.clock.nanoTime() - start;
        assertTrue(done.isDone());
        StreamImpl receiver = accepted.get(0);
        assertTrue(receiver.recvWindow.growths() > 0, "the window grew");
        double rtt = 2.0 * ONE_WAY;
        double fixedWindowNanos = bytes / (INITIAL / rtt);
        assertTrue(elapsed < fixedWindowNanos / 4, "with growth, " + bytes + " bytes took " + elapsed / 1e6
                + " ms of virtual time; a fixed " + INITIAL + "-byte window needs " + fixedWindowNanos / 1e6 + " ms");
    }

    @Test
    void s6_slowReader_neverGetsGrowth_andHoldsAtMostTheInitialWindow() {
        EnginePair p = longLink(false);
        while (!p.dialer.isOpen()) {
            step(p);
        }
        VmConnection c = p.dialer.open(SINK, null);
        c.write(ByteBuffer.allocate(4 << 20));
        c.shutdownOutput();
        long maxHeld = 0;
        for (int ms = 0; ms < 2000; ms++) {
            step(p);
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
}
