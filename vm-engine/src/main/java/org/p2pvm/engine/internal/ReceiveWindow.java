package org.p2pvm.engine.internal;

/**
 * One receive window of PROTOCOL.md §6 (a stream's or the tunnel's): the credit the peer holds, the
 * bytes consumed but not yet returned, and the target size the window is kept at.
 *
 * <p><b>Growth</b> (§6 "Window growth"). Credit is returned in steps of half the target. When two
 * such steps come less than two round trips apart, the reader drains at more than a quarter of
 * window ÷ RTT, the rate at which a window-limited sender saturates, so the target doubles, up to a
 * cap, and the extra is granted with the next WINDOW (the rule of Chromium's QUIC flow controller). A
 * slow reader never triggers it: its steps are far apart.
 *
 * <p><b>Shrinking.</b> After an idle second (or four RTTs, if longer) the target returns to the
 * initial size; the difference is withheld from later returns, but never so much that the peer holds
 * less than the initial window.
 *
 * <p><b>Memory bound.</b> Bytes the peer may send unasked never exceed {@code credit}; credit is only
 * ever returned for consumed bytes plus deliberate growth, so buffered-but-unconsumed bytes stay
 * within the granted window. Owned by the tunnel's executor.
 */
final class ReceiveWindow {
    private static final long MIN_IDLE_NANOS = 1_000_000_000L;

    private final int initial;
    private int credit;
    private int unacked;
    private int target;
    private int shrinkDebt;
    private long epochStart;
    private boolean epochStarted;
    private long lastActivity;
    private int growths;

    ReceiveWindow(int initial, long nowNanos) {
        this.initial = initial;
        this.credit = initial;
        this.target = initial;
        this.epochStart = nowNanos;
        this.lastActivity = nowNanos;
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
     * @param rttNanos the smoothed RTT, 0 when unknown (no growth without a measurement)
     * @param maxTarget the largest target allowed now
     * @return the increment to send, or 0
     */
    int consumed(int n, long nowNanos, long rttNanos, int maxTarget) {
        if (nowNanos - lastActivity > Math.max(MIN_IDLE_NANOS, 4 * rttNanos) && target > initial) {
            shrinkDebt += target - initial;
            target = initial;
        }
        lastActivity = nowNanos;
        unacked += n;
        if (unacked < Math.max(1, target / 2)) {
            return 0;
        }
        long inc = unacked;
        unacked = 0;
        // the first return has no previous one to measure against
        if (epochStarted && rttNanos > 0 && target < maxTarget && nowNanos - epochStart < 2 * rttNanos) {
            int grown = (int) Math.min(2L * target, maxTarget);
            inc += grown - target;
            target = grown;
            growths++;
        }
        epochStart = nowNanos;
        epochStarted = true;
        if (shrinkDebt > 0) {
            long cut = Math.min(shrinkDebt, Math.max(0, credit + inc - initial));
            inc -= cut;
            shrinkDebt -= (int) cut;
        }
        inc = Math.min(inc, Integer.MAX_VALUE - (long) credit);
        credit += (int) inc;
        return (int) inc;
    }
}
