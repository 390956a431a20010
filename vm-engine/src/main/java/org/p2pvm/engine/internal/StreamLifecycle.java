package org.p2pvm.engine.internal;

import java.util.ArrayDeque;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.VmAddress;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;

/**
 * The life of a stream on one tunnel (PROTOCOL.md §5), from this end's side: opening it (an id of
 * this end's parity, an ephemeral source port, the OPEN frame, held back while the control backlog is
 * high), registering it (also for streams the peer opens, see {@link InboundFrames}), resetting it,
 * and removing it from the {@link StreamTable} once both terminal frames have been seen.
 *
 * <p>Owned by the tunnel's executor.
 */
final class StreamLifecycle {
    /**
     * OPENs the application asks for wait in {@link #deferredOpens} while this many control bytes are
     * queued (a quarter of {@link TunnelImpl#controlHighWater}). Without this, a burst of opens alone would
     * cross the control high water ({@code maxControlBacklogBytes}) and
     * stop this end from reading; the peer, whose ACCEPTs then go unread, stops reading in turn, and the
     * tunnel deadlocks (seen with a million opens over the memory transport).
     */
    private int openBacklog() {
        return t.controlHighWater / 4;
    }

    private final TunnelImpl t;
    /** Streams opened while {@link #openBacklog()} control bytes were queued, in order; not yet registered. */
    private final ArrayDeque<StreamImpl> deferredOpens = new ArrayDeque<>();

    StreamLifecycle(TunnelImpl tunnel) {
        this.t = tunnel;
    }

    /** The application opened {@code s} (now on the executor): OPEN now, or once the backlog allows. */
    void open(StreamImpl s) {
        if (t.state == TunnelImpl.State.OPEN && (!deferredOpens.isEmpty() || t.writer.controlPending() >= openBacklog())) {
            deferredOpens.add(s);
            return;
        }
        openNow(s);
    }

    /** Whether OPENs wait for the control backlog to go down. */
    boolean hasDeferredOpens() {
        return !deferredOpens.isEmpty();
    }

    /** Opens deferred streams while the control backlog allows (or fails them once the tunnel is not open). */
    void releaseDeferredOpens() {
        StreamImpl s;
        while ((t.state != TunnelImpl.State.OPEN || t.writer.controlPending() < openBacklog()) && (s = deferredOpens.poll()) != null) {
            openNow(s);
        }
    }

    /** Fails the streams whose OPEN still waits (the tunnel closed under them). */
    void failDeferredOpens(TunnelClosedException cause) {
        StreamImpl d;
        while ((d = deferredOpens.poll()) != null) {
            d.fail(cause);
        }
    }

    private void openNow(StreamImpl s) {
        if (s.failure != null) {
            return; // reset or failed while its OPEN waited: nothing to tell the peer
        }
        if (t.state != TunnelImpl.State.OPEN) {
            s.fail(t.shutdown.closeException != null ? t.shutdown.closeException
                    : new TunnelClosedException(t.shutdown.gracefulReason != null ? t.shutdown.gracefulReason
                            : new CloseReason(ErrorCode.PROTOCOL_ERROR, CloseReason.Origin.LOCAL, "tunnel not open")));
            return;
        }
        if (t.streams.localOpened() >= t.peer.maxStreams()) {
            s.fail(new org.p2pvm.StreamResetException(ErrorCode.LIMIT_EXCEEDED, false, "the peer accepts at most "
                    + t.peer.maxStreams() + " concurrent streams (MAX_STREAMS, §3)"));
            return;
        }
        int id = t.streams.allocateId();
        register(s, id);
        t.counters.streamsOpened++;
        if (s.local.isAny() && s.local.port() == 0) {
            s.local = VmAddress.any(ephemeralPort(id));
        }
        FrameWriter.open(t.writer.control(FrameType.HEADER_LENGTH + FrameType.OPEN_LENGTH), id, s.remote, s.local);
        t.writer.streamReady(s);
        t.requestFlush();
    }

    private static int ephemeralPort(int id) {
        return 49152 + ((id >>> 1) & 0x3FFF);
    }

    void register(StreamImpl s, int id) {
        s.id = id;
        s.registered = true;
        s.sendWindow = t.peer.initialStreamWindow();
        t.streams.put(s);
    }

    /** Both terminal frames seen (§5): the id leaves the table. */
    void terminalSent(StreamImpl s) {
        if (s.finReceived || s.resetReceived) {
            remove(s);
        }
    }

    void terminalReceived(StreamImpl s) {
        if (s.finSent || s.resetSent) {
            remove(s);
        }
    }

    void remove(StreamImpl s) {
        if (s.removed || !s.registered) {
            return;
        }
        s.removed = true;
        t.streams.remove(s);
        if (t.state == TunnelImpl.State.CLOSING) {
            t.requestFlush(); // the drain may be over once this last batch is out
        }
    }

    /** Resets {@code s} with {@code code} (§5): RESET out, local failure, id freed once the peer answers. */
    void resetStream(StreamImpl s, ErrorCode code, String detail) {
        if (s.resetSent || s.removed) {
            return;
        }
        s.resetSent = true;
        s.fail(StreamImpl.resetException(code, false, s, detail));
        if (!s.registered) {
            return; // never sent OPEN: nothing to tell the peer
        }
        t.counters.sent(code);
        FrameWriter.reset(t.writer.control(FrameType.HEADER_LENGTH + FrameType.RESET_LENGTH), s.id, code);
        if (s.finReceived || s.resetReceived) {
            remove(s);
        }
        t.requestFlush();
    }
}
