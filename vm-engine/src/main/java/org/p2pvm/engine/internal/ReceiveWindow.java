package org.p2pvm.engine.internal;

/**
 * One receive window of PROTOCOL.md §6 (a stream's or the tunnel's): the credit the peer holds, the
 * bytes consumed but not yet returned, and the target size the window is kept at.
 *
 * <p><b>Growth</b> (§6 "Window growth"). Credit is returned in steps of half the target. At each
 * step the drain rate is measured over the last two steps (about one target's worth of bytes) and
 * multiplied by the tunnel's <em>minimum</em> RTT: a bandwidth-delay product. The target doubles, up to
 * a cap, only while it is below twice that product, i.e. while a whole window is consumed in less
 * than two round trips — the window, not the link, is what limits the sender. A window-limited sender
 * delivers one window per RTT, so on a long link the condition holds until the window covers the
 * link; on a short link (loopback) the product is tiny and the initial window already exceeds it, so
 * the target stays put and no megabytes queue in socket buffers ahead of other streams' bytes. The
 * minimum RTT (not the smoothed one) is used because RTT samples taken under load include the queue
 * that a grown window itself creates; with the smoothed RTT, growth fed itself (bufferbloat). A slow
 * reader never triggers growth: its drain rate is low.
 *
 * <p><b>Shrinking.</b> After an idle second (or four RTTs, if longer) the target returns to the
 * initial size; the difference is withheld from later returns, but never so much that the peer holds
 * less than the initial window. The rate measurement restarts: an idle gap is no drain rate.
 *
 * <p><b>Memory bound.</b> Bytes the peer may send unasked never exceed {@code credit}; credit is only
 * ever returned for consumed bytes plus deliberate growth, so buffered-but-unconsumed bytes stay
 * within the granted window. Owned by the tunnel's executor.
 */
final class ReceiveWindow {
    private static final long MIN_IDLE_NANOS = 1_000_000_000L;
    /** Headroom over the measured bandwidth-delay product (as TCP receive-buffer auto-tuning keeps). */
    static final int BDP_HEADROOM = 2;

    private final int initial;
    private int credit;
    private int unacked;
    private int target;
    private int shrinkDebt;
    private long lastActivity;
    /** Start of the rate measurement: the step before the last one (or the first byte after idle). */
    private long anchorNanos;
    /** Bytes consumed between the anchor and the last step. */
    private int anchorBytes;
    /** Bytes consumed since the last step, counted for the rate (unlike {@link #unacked}: not across idle). */
    private int sinceStep;
    private long lastStepNanos;
    private boolean measuring;
    private int growths;

    ReceiveWindow(int initial, long nowNanos) {
        this.initial = initial;
        this.credit = initial;
        this.target = initial;
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
            measuring = false;
        }
        lastActivity = nowNanos;
        if (measuring) {
            sinceStep += n;
        } else {
            // the rate is measured from here on; bytes left unacked from before the idle gap do not count
            measuring = true;
            anchorNanos = nowNanos;
            anchorBytes = 0;
            lastStepNanos = nowNanos;
            sinceStep = 0;
        }
        unacked += n;
        if (unacked < Math.max(1, target / 2)) {
            return 0;
        }
        long inc = unacked;
        int stepBytes = sinceStep;
        unacked = 0;
        sinceStep = 0;
        if (windowLimited(anchorBytes + (long) stepBytes, nowNanos - anchorNanos, minRttNanos)
                && target < maxTarget) {
            int grown = (int) Math.min(2L * target, maxTarget);
            inc += grown - target;
            target = grown;
            growths++;
        }
        anchorNanos = lastStepNanos;
        anchorBytes = stepBytes;
        lastStepNanos = nowNanos;
        if (shrinkDebt > 0) {
            long cut = Math.min(shrinkDebt, Math.max(0, credit + inc - initial));
            inc -= cut;
            shrinkDebt -= (int) cut;
        }
        inc = Math.min(inc, Integer.MAX_VALUE - (long) credit);
        credit += (int) inc;
        return (int) inc;
    }

    /**
     * Whether {@code bytes} drained in {@code elapsedNanos} say the target is below
     * {@link #BDP_HEADROOM} × (drain rate × min RTT): target × elapsed < 2 × minRtt × bytes.
     */
    private boolean windowLimited(long bytes, long elapsedNanos, long minRttNanos) {
        if (minRttNanos <= 0 || elapsedNanos <= 0) {
            return false; // no RTT yet, or one instant: no rate to speak of
        }
        return (double) target * elapsedNanos < (double) BDP_HEADROOM * minRttNanos * bytes;
    }
}
