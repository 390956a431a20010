package org.p2pvm.engine.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.VmException;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tunnel's timer and the PINGs it sends (PROTOCOL.md §8 liveness): the handshake timeout (§4),
 * a keepalive PING once the carrier has been quiet for the keepalive interval, the keepalive timeout,
 * PINGs that only measure the RTT window growth needs (§6), and the application's {@code ping()}.
 * The shutdown deadlines are checked on the same tick but belong to {@link Shutdown}.
 *
 * <p>Owned by the tunnel's executor: the timer hands each tick over with {@link TunnelImpl#run}.
 * {@link #lastReadNanos} is written on every read; the PINGs themselves are in {@link PingTracker}.
 */
final class Liveness {
    // the tunnel's logger: these lines were the tunnel's before the split, and log settings name it
    private static final Logger LOG = LoggerFactory.getLogger(TunnelImpl.class);

    /** No PING solely for RTT more often than this (§6 growth needs an RTT under load too). */
    private static final long RTT_PROBE_NANOS = 1_000_000_000L;

    private final TunnelImpl t;
    private Runnable cancelTimer;
    private long startNanos;
    private volatile long lastReadNanos;

    Liveness(TunnelImpl tunnel) {
        this.t = tunnel;
    }

    /** The tunnel starts at {@code nowNanos}: the handshake timeout and the idle time count from here. */
    void start(long nowNanos) {
        startNanos = nowNanos;
        lastReadNanos = startNanos;
        long period = tickPeriodNanos();
        cancelTimer = t.clock.scheduleAtFixedRate(() -> t.run(this::tick), period);
    }

    void stopTimer() {
        if (cancelTimer != null) {
            cancelTimer.run();
        }
    }

    /** Bytes arrived: the carrier is alive. */
    void onRead() {
        lastReadNanos = t.clock.nanoTime();
    }

    private long tickPeriodNanos() {
        long shortest = Math.min(t.options.handshakeTimeout().toNanos(),
                Math.min(t.options.keepaliveInterval().toNanos(), t.options.drainTimeout().toNanos()));
        return Math.max(10_000_000L, Math.min(1_000_000_000L, shortest / 4));
    }

    private void tick() {
        if (t.state == TunnelImpl.State.CLOSED) {
            t.shutdown.lingerTick();
            return;
        }
        long now = t.clock.nanoTime();
        if (t.state == TunnelImpl.State.HANDSHAKE) {
            if (now - startNanos >= t.options.handshakeTimeout().toNanos()) {
                LOG.info("tunnel {} closing: TIMEOUT handshake not complete within {}", t, t.options.handshakeTimeout());
                t.shutdown.closeNow(new CloseReason(ErrorCode.TIMEOUT, CloseReason.Origin.LOCAL,
                        "handshake not complete within " + t.options.handshakeTimeout()), true);
            }
            return;
        }
        long idle = now - lastReadNanos;
        if (idle >= t.options.keepaliveTimeout().toNanos()) {
            LOG.info("tunnel {} closing: TIMEOUT nothing received for {} ms", t, Duration.ofNanos(idle).toMillis());
            t.shutdown.closeNow(new CloseReason(ErrorCode.TIMEOUT, CloseReason.Origin.LOCAL,
                    "nothing received for " + Duration.ofNanos(idle).toMillis() + " ms (keepalive timeout "
                            + t.options.keepaliveTimeout() + ")"), true);
            return;
        }
        long interval = t.options.keepaliveInterval().toNanos();
        if (idle >= interval && t.pings.quietFor(now, interval)) {
            sendPing(null);
        }
        t.shutdown.drainTick(now);
    }

    /** Window growth needs an RTT even while data flows and keepalive PINGs are idle. */
    void probeRtt() {
        if (t.options.maxStreamWindow() > t.options.initialStreamWindow()
                || t.options.maxTunnelWindow() > t.options.initialTunnelWindow()) {
            if (t.pings.quietFor(t.clock.nanoTime(), RTT_PROBE_NANOS)) {
                sendPing(null);
            }
        }
    }

    /** Sends a PING; {@code f} (null for keepalive and RTT probes) completes with the round trip. */
    void sendPing(CompletableFuture<Duration> f) {
        if (t.state != TunnelImpl.State.OPEN && t.state != TunnelImpl.State.CLOSING) {
            if (f != null) {
                f.completeExceptionally(t.shutdown.closeException != null ? t.shutdown.closeException
                        : new TunnelClosedException(new CloseReason(ErrorCode.PROTOCOL_ERROR, CloseReason.Origin.LOCAL,
                                "tunnel not open")));
            }
            return;
        }
        long opaque = t.pings.start(t.clock.nanoTime(), f);
        if (opaque < 0) {
            if (f != null) {
                f.completeExceptionally(new VmException(ErrorCode.LIMIT_EXCEEDED, "more than "
                        + PingTracker.MAX_OUTSTANDING + " PINGs outstanding"));
            }
            return;
        }
        FrameWriter.ping(t.writer.control(FrameType.HEADER_LENGTH + FrameType.PING_LENGTH), false, opaque);
        t.requestFlush();
    }
}
