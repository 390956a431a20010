package org.p2pvm.engine.internal;

/**
 * One receive window of PROTOCOL.md §6 (a stream's or the tunnel's): the credit the peer holds, the
 * bytes consumed but not yet returned, and the target size the window is kept at.
 *
 * <p><b>Growth</b> (§6 "Window growth"). Credit is returned in steps of half the target. One return
 * at a time is timed: its <em>credit cycle</em> runs from sending the WINDOW until every byte it
 * allowed has been consumed. A sender held back by the window sends those bytes as soon as the
 * WINDOW lands, so the cycle is about one round trip; when the link or the reader is the limit
 * instead, the bytes wait behind a standing queue (socket buffers, the reader's backlog) and the
 * cycle is one round trip plus queue ÷ drain rate. So a cycle shorter than two <em>minimum</em> RTTs
 * says the queue is below one bandwidth-delay product (drain rate × min RTT), i.e. the window is below
 * about twice the BDP: the window, not the link, is the bottleneck, and the target grows (up to a
 * cap), the extra granted with the return. How much: the part of the cycle beyond one minimum RTT is
 * the time the link took to carry the window, so (cycle − min RTT) ÷ min RTT estimates window ÷ BDP;
 * the target grows towards twice the BDP, at least ×2 and at most ×8 per timed cycle. A window far
 * below a fat link's BDP thus reaches it in a few round trips (256 KiB to 64 MiB in three) instead
 * of one doubling per round trip (eight), while the ×8 bound keeps one cycle shortened by chance from
 * leaping far past the link. On a short link (loopback) the initial window already exceeds the BDP,
 * cycles include the queue, and the target stays put; no megabytes queue in socket buffers ahead of
 * other streams' bytes. The minimum RTT is used, not the smoothed one, because samples taken under
 * load include the queue a grown window creates (growth on the smoothed RTT fed itself). The cycle is
 * timed rather than a drain rate measured, because bytes reach the reader in whole carrier batches
 * (up to a window at once), and a rate over one window then measures memory speed, not the link. A
 * slow reader never triggers growth: its cycles are long.
 *
 * <p><b>Shrinking.</b> A timed cycle longer than four minimum RTTs (a standing queue of several
 * BDPs, or a reader that fell behind) halves a grown target: without it, growth would be a ratchet,
 * since on a busy machine an occasional short cycle comes by chance. After an idle second (or four
 * RTTs, if longer) the target returns to the initial size. The difference is withheld from later
 * returns, but never so much that the peer holds less than the initial window.
 *
 * <p><b>Memory bound.</b> Bytes the peer may send unasked never exceed {@code credit}; credit is only
 * ever returned for consumed bytes plus deliberate growth, so buffered-but-unconsumed bytes stay
 * within the granted window. Owned by the tunnel's executor.
 */
final class ReceiveWindow {
    private static final long MIN_IDLE_NANOS = 1_000_000_000L;
    /** A credit cycle shorter than this many minimum RTTs means the window is the bottleneck. */
    static final int CYCLE_RTTS = 2;
    /** The most a target grows after one timed cycle. */
    static final int MAX_GROWTH_FACTOR = 8;

    private final int initial;
    private int credit;
    private int unacked;
    private int target;
    private int shrinkDebt;
    private long lastActivity;
    private int growths;
    /** Bytes granted but not yet consumed: the peer's credit plus what we buffer. */
    private int outstanding;
    /** Bytes still to be consumed before the timed return's bytes are all consumed; -1: none timed. */
    private int cycleCountdown = -1;
    private long cycleStart;
    /** The last completed credit cycle, -1 when none is waiting to be judged. */
    private long lastCycleNanos = -1;

    ReceiveWindow(int initial, long nowNanos) {
        this.initial = initial;
        this.credit = initial;
        this.target = initial;
        this.outstanding = initial;
        this.lastActivity = nowNanos;
    }

    /**
     * How much a window-limited target grows after a cycle of {@code cycleNanos}: the cycle is about
     * one round trip plus the time the link needs to carry the window, so {@code (cycle - minRtt) /
     * minRtt} estimates window ÷ bandwidth-delay product, and the factor aims at twice the BDP. At
     * least ×2 (the rule of a cycle just under 2 × min RTT), at most ×{@value #MAX_GROWTH_FACTOR}, so
     * a cycle shortened by chance cannot make the window leap far past the link.
     */
    static long growthFactor(long cycleNanos, long minRttNanos) {
        long beyondRtt = Math.max(0, cycleNanos - minRttNanos);
        if (beyondRtt * MAX_GROWTH_FACTOR <= 2 * minRttNanos) {
            return MAX_GROWTH_FACTOR;
        }
        return Math.max(2, Math.min(MAX_GROWTH_FACTOR, 2 * minRttNanos / beyondRtt));
    }

    /** Credit the peer still holds. */
    int credit() {
        return credit;
    }

    /** The window size aimed at now. */
    int target() {
        return target;
    }

    int growths() {
        return growths;
    }

    /**
     * Raises the target to at least {@code atLeast} (the tunnel's window following a stream that
     * grew, §6) and returns the extra credit to grant now: first it cancels withheld shrinking, then
     * it is new credit. Counts as activity.
     */
    int raiseTarget(int atLeast, long nowNanos) {
        lastActivity = nowNanos;
        if (atLeast <= target) {
            return 0;
        }
        int extra = atLeast - target;
        target = atLeast;
        growths++;
        int cancelled = Math.min(shrinkDebt, extra);
        shrinkDebt -= cancelled;
        extra -= cancelled;
        extra = (int) Math.min(extra, Integer.MAX_VALUE - (long) Math.max(credit, outstanding));
        credit += extra;
        outstanding += extra;
        return extra;
    }

    /** Takes {@code n} arriving bytes from the credit; false when they exceed it (a flow-control error). */
    boolean take(int n) {
        if (n > credit) {
            return false;
        }
        credit -= n;
        return true;
    }

    /**
     * Records {@code n} consumed bytes and decides the WINDOW increment to send now.
     *
     * @param minRttNanos the tunnel's minimum RTT, 0 when unknown (no growth without a measurement)
     * @param maxTarget the largest target allowed now
     * @return the increment to send, or 0
     */
    int consumed(int n, long nowNanos, long minRttNanos, int maxTarget) {
        if (nowNanos - lastActivity > Math.max(MIN_IDLE_NANOS, 4 * minRttNanos)) {
            if (target > initial) {
                shrinkDebt += target - initial;
                target = initial;
            }
            cycleCountdown = -1; // a cycle that spans an idle gap says nothing about the link
            lastCycleNanos = -1;
        }
        lastActivity = nowNanos;
        outstanding -= n;
        if (cycleCountdown >= 0) {
            cycleCountdown -= n;
            if (cycleCountdown <= 0) {
                lastCycleNanos = nowNanos - cycleStart;
                cycleCountdown = -1;
            }
        }
        unacked += n;
        if (unacked < Math.max(1, target / 2)) {
            return 0;
        }
        long inc = unacked;
        unacked = 0;
        if (lastCycleNanos >= 0 && minRttNanos > 0) {
            if (lastCycleNanos < CYCLE_RTTS * minRttNanos && target < maxTarget) {
                int grown = (int) Math.min(growthFactor(lastCycleNanos, minRttNanos) * target, maxTarget);
                inc += grown - target;
                target = grown;
                growths++;
            } else if (lastCycleNanos > 2 * CYCLE_RTTS * minRttNanos && target > initial) {
                // a standing queue of several BDPs (or a reader that fell behind): the grown window
                // only delays other streams' bytes; halve it (the peer's credit drains down to it)
                int halved = Math.max(initial, target / 2);
                shrinkDebt += target - halved;
                target = halved;
            }
            lastCycleNanos = -1; // one judgement per timed cycle
        }
        if (shrinkDebt > 0) {
            long cut = Math.min(shrinkDebt, Math.max(0, credit + inc - initial));
            inc -= cut;
            shrinkDebt -= (int) cut;
        }
        inc = Math.min(inc, Integer.MAX_VALUE - (long) Math.max(credit, outstanding));
        credit += (int) inc;
        outstanding += (int) inc;
        if (cycleCountdown < 0 && inc > 0) {
            cycleCountdown = outstanding; // timed: until every byte granted so far is consumed
            cycleStart = nowNanos;
        }
        return (int) inc;
    }
}
