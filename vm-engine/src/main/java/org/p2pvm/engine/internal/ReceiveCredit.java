package org.p2pvm.engine.internal;

import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;

/**
 * The credit this end gives the peer (PROTOCOL.md §6, receive side): the tunnel's
 * {@link ReceiveWindow}, the increments streams and the tunnel earn back as their bytes are consumed
 * (window growth from the minimum RTT; a stream's growth pulls the tunnel window along), and the WINDOW
 * frames that return them. Each stream's own window is in {@link StreamImpl#recvWindow()}; the send
 * side of flow control is in {@link BatchWriter}.
 *
 * <p>Owned by the tunnel's executor. On the data path: nothing here allocates.
 */
final class ReceiveCredit {
    private final TunnelImpl t;
    /** Null until the tunnel starts. */
    ReceiveWindow tunnelWindow;

    ReceiveCredit(TunnelImpl tunnel) {
        this.t = tunnel;
    }

    void start(long nowNanos) {
        tunnelWindow = new ReceiveWindow(t.options.initialTunnelWindow(), nowNanos);
    }

    /**
     * A stream consumed {@code n} bytes: the increment to grant (§6). A stream grows up to
     * {@code maxStreamWindow} but never past {@code maxTunnelWindow}; when it grows, the tunnel's
     * target follows it to the stream's window plus the initial tunnel window (capped at
     * {@code maxTunnelWindow}) and the extra tunnel credit goes out at once. Without that, a stream on
     * a fat link would wait at the tunnel's initial window until the tunnel's own, slower credit
     * cycles (one per half tunnel window consumed) judged it too small.
     */
    int streamConsumed(ReceiveWindow w, int n) {
        long now = t.clock.nanoTime();
        int cap = Math.min(t.options.maxStreamWindow(), t.options.maxTunnelWindow());
        int before = w.target();
        int inc = w.consumed(n, now, t.pings.minRttNanos(), Math.max(cap, t.options.initialStreamWindow()));
        if (w.target() > before) {
            long wanted = Math.min((long) w.target() + t.options.initialTunnelWindow(), t.options.maxTunnelWindow());
            int extra = tunnelWindow.raiseTarget((int) wanted, now);
            if (extra > 0) {
                sendWindowUpdate(0, extra);
            }
        }
        return inc;
    }

    void sendWindowUpdate(int id, int increment) {
        if (t.state == TunnelImpl.State.CLOSED || t.shutdown.carrierClosed) {
            return;
        }
        FrameWriter.window(t.writer.control(FrameType.HEADER_LENGTH + FrameType.WINDOW_LENGTH), id, increment);
        t.liveness.probeRtt();
        t.requestFlush();
    }

    /** {@code n} inbound bytes left the engine: return tunnel credit once half the window is used (§6). */
    void tunnelConsumed(int n) {
        if (tunnelWindow == null) {
            return;
        }
        int inc = tunnelWindow.consumed(n, t.clock.nanoTime(), t.pings.minRttNanos(), t.options.maxTunnelWindow());
        if (inc > 0) {
            sendWindowUpdate(0, inc);
        }
    }

    /** The tunnel's receive window target (for tests and stats). */
    int tunnelWindowTarget() {
        return tunnelWindow.target();
    }
}
