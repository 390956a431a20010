package org.p2pvm.engine.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.HandshakeException;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.VmException;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;
import org.p2pvm.engine.internal.frame.ProtocolViolation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one tunnel ends (PROTOCOL.md §8). Gracefully: GOAWAY both ways, the streams drain, and the
 * carrier closes once the last frames are out (or the drain timeout cuts the drain short). At once
 * ({@link #closeNow}): GOAWAY with the error, every stream and pending operation fails with the
 * reason. Either way the close future completes when the carrier reports itself closed.
 *
 * <p>Owned by the tunnel's executor: it moves {@link TunnelImpl#state} to CLOSING and CLOSED there.
 * {@link #closeException} is volatile so that calls from other threads can fail with it.
 */
final class Shutdown {
    // the tunnel's logger: these lines were the tunnel's before the split, and log settings name it
    private static final Logger LOG = LoggerFactory.getLogger(TunnelImpl.class);

    /** How long a closing end waits for the peer to take its GOAWAY before dropping the carrier. */
    private static final long GOAWAY_LINGER_NANOS = 2_000_000_000L;

    private final TunnelImpl t;
    final CompletableFuture<CloseReason> closeFuture = new CompletableFuture<>();

    boolean goawaySent;
    boolean goawayReceived;
    CloseReason gracefulReason;
    CloseReason closeReason;
    volatile TunnelClosedException closeException;
    boolean carrierClosed;
    /** The carrier closes once the writer has handed over the last frames (the GOAWAY). */
    boolean closeWhenDrained;
    private long closeRequestedNanos;
    private long drainDeadline;

    Shutdown(TunnelImpl tunnel) {
        this.t = tunnel;
    }

    /** The application's {@link org.p2pvm.Tunnel#close(ErrorCode, String)}, on the executor. */
    void close(ErrorCode code, String text) {
        if (t.state == TunnelImpl.State.CLOSED) {
            return;
        }
        if (code.isGraceful() && t.state != TunnelImpl.State.HANDSHAKE) {
            if (gracefulReason == null) {
                gracefulReason = new CloseReason(code, CloseReason.Origin.LOCAL, text.isEmpty() ? "closed by application" : text);
            }
            beginDrain(code);
        } else {
            closeNow(new CloseReason(code, CloseReason.Origin.LOCAL, text.isEmpty() ? "closed by application" : text), true);
        }
    }

    void onGoaway(long wireCode, ByteBuffer reason) throws ProtocolViolation {
        ErrorCode code = ErrorCode.fromWire(wireCode);
        String text = StandardCharsets.UTF_8.decode(reason).toString();
        t.counters.received(code);
        goawayReceived = true;
        CloseReason r = new CloseReason(code, CloseReason.Origin.REMOTE, text.isEmpty() ? "peer sent GOAWAY" : text);
        if (t.state == TunnelImpl.State.HANDSHAKE || !code.isGraceful()) {
            closeNow(r, false);
            return;
        }
        if (gracefulReason == null) {
            gracefulReason = r;
        }
        beginDrain(code);
    }

    void carrierWriteFailed(Throwable failure) {
        closeNow(new CloseReason(ErrorCode.INTERNAL_ERROR, CloseReason.Origin.CARRIER, "carrier write failed: " + failure),
                false, failure);
    }

    void carrierClosed(Throwable cause) {
        if (carrierClosed) {
            return;
        }
        if (t.state != TunnelImpl.State.CLOSED) {
            CloseReason r;
            if (gracefulReason != null && goawaySent && goawayReceived) {
                r = gracefulReason;
            } else if (gracefulReason != null && goawayReceived) {
                r = gracefulReason;
            } else if (cause instanceof VmException ve) {
                // the carrier learned the reason at its own level (e.g. a WebSocket close code)
                r = new CloseReason(ve.errorCode(), CloseReason.Origin.CARRIER, "carrier closed: " + ve.getMessage());
            } else {
                r = new CloseReason(ErrorCode.INTERNAL_ERROR, CloseReason.Origin.CARRIER, cause == null
                        ? "carrier closed by peer without GOAWAY" : "carrier failed: " + cause);
            }
            closeNow(r, false, cause);
        }
        carrierClosed = true;
        t.liveness.stopTimer();
        closeFuture.complete(closeReason);
    }

    /**
     * After a flush or a written batch: while the carrier is to close once drained, closes it if the
     * writer is drained and returns true (the caller has nothing else to do).
     */
    boolean closingWhenDrained() {
        if (closeWhenDrained) {
            if (t.writer.drained() && !carrierClosed) {
                t.carrier.close(true, closeReason);
            }
            return true;
        }
        return false;
    }

    /** Timer: a closed tunnel whose peer does not take its last frames loses the carrier. */
    void lingerTick() {
        if (closeWhenDrained && !carrierClosed && t.clock.nanoTime() - closeRequestedNanos > GOAWAY_LINGER_NANOS) {
            t.carrier.close(false, closeReason); // the peer does not take our last frames: drop the link
        }
    }

    /** Timer: a drain that outlives the drain timeout ends at once. */
    void drainTick(long now) {
        if (t.state == TunnelImpl.State.CLOSING && now - drainDeadline >= 0) {
            CloseReason g = gracefulReason;
            closeNow(new CloseReason(g.code(), g.origin(), "drain timeout " + t.options.drainTimeout()
                    + " passed with " + t.streams.size() + " streams open"), false);
        }
    }

    private void sendGoaway(ErrorCode code, String reason) {
        if (goawaySent) {
            return;
        }
        goawaySent = true;
        if (code != ErrorCode.NO_ERROR) {
            t.counters.sent(code);
        }
        byte[] text = utf8Prefix(reason, FrameType.GOAWAY_REASON_MAX);
        FrameWriter.goaway(t.writer.control(FrameType.HEADER_LENGTH + FrameType.GOAWAY_MIN + text.length), code, text);
    }

    /** A graceful GOAWAY was sent or received: stop opening, let streams finish. */
    void beginDrain(ErrorCode code) {
        if (t.state == TunnelImpl.State.OPEN) {
            t.state = TunnelImpl.State.CLOSING;
            drainDeadline = t.clock.nanoTime() + t.options.drainTimeout().toNanos();
        }
        // answer a graceful GOAWAY so the carrier can close once both sides sent one (§8)
        sendGoaway(code, gracefulReason != null && gracefulReason.origin() == CloseReason.Origin.LOCAL
                ? gracefulReason.detail() : "");
        t.requestFlush();
        maybeFinishDrain();
    }

    /**
     * Closes the carrier once both GOAWAYs are out and no stream is left (§8). Never while a batch is
     * being formed: the last stream's FIN is in it.
     */
    void maybeFinishDrain() {
        if (t.state == TunnelImpl.State.CLOSING && goawaySent && goawayReceived && t.streams.isEmpty() && !t.writer.building()
                && t.writer.controlPending() == 0) {
            t.state = TunnelImpl.State.CLOSED;
            closeReason = gracefulReason;
            closeException = new TunnelClosedException(closeReason);
            failEverything(closeException);
            t.writer.dataAllowed = false;
            closeCarrierWhenDrained();
        }
    }

    /**
     * Closes the carrier after the frames still queued (at least the GOAWAY) are out: a batch may be in
     * flight, and the GOAWAY must follow it, not be lost behind a close (§8, §9).
     */
    private void closeCarrierWhenDrained() {
        if (carrierClosed) {
            return;
        }
        closeWhenDrained = true;
        closeRequestedNanos = t.clock.nanoTime();
        t.writer.flush();
        if (t.writer.drained()) {
            t.carrier.close(true, closeReason);
        }
    }

    /**
     * Closes at once: optionally GOAWAY {@code reason.code()}, flush control frames, close the
     * carrier, fail every stream and pending operation with the reason.
     */
    void closeNow(CloseReason reason, boolean sendGoaway) {
        closeNow(reason, sendGoaway, null);
    }

    /** As {@link #closeNow(CloseReason, boolean)}; {@code cause} (the carrier's failure, or null) becomes the cause of the exception everything fails with. */
    private void closeNow(CloseReason reason, boolean sendGoaway, Throwable cause) {
        if (t.state == TunnelImpl.State.CLOSED) {
            return;
        }
        TunnelImpl.State before = t.state;
        t.state = TunnelImpl.State.CLOSED;
        closeReason = reason;
        closeException = before == TunnelImpl.State.HANDSHAKE ? new HandshakeException(reason, cause)
                : new TunnelClosedException(reason, cause);
        if (reason.origin() != CloseReason.Origin.REMOTE && reason.code() != ErrorCode.NO_ERROR) {
            LOG.debug("tunnel {} closed: {}", t, reason);
        }
        t.writer.dataAllowed = false;
        if (sendGoaway && !carrierClosed) {
            sendGoaway(reason.code(), reason.detail());
        }
        failEverything(closeException);
        closeCarrierWhenDrained();
    }

    private void failEverything(TunnelClosedException cause) {
        if (!t.handshake.future.isDone()) {
            t.handshake.future.completeExceptionally(cause instanceof HandshakeException ? cause
                    : new HandshakeException(cause.reason(), cause.getCause()));
        }
        List<StreamImpl> all = t.streams.drain();
        for (StreamImpl s : all) {
            s.removed = true;
            s.fail(cause);
        }
        t.lifecycle.failDeferredOpens(cause);
        t.pings.failAll(cause);
        t.listens.failWaiters(cause);
    }

    private static byte[] utf8Prefix(String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= max) {
            return b;
        }
        int end = max;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--; // do not cut a UTF-8 sequence in half
        }
        return java.util.Arrays.copyOf(b, end);
    }
}
