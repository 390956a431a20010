package org.p2pvm.engine.internal;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelStats;

/**
 * The inbound and stream counters of one tunnel (the writer counts its own). Written on the tunnel's
 * executor; {@link #snapshot} may run on any thread: the error maps are guarded by {@code this}, the
 * plain counters are read racily (each value exact, not all read at one instant).
 */
final class TunnelCounters {
    volatile long bytesReceived;
    long payloadBytesReceived;
    long streamsOpened;
    long streamsAccepted;
    long streamsRefused;
    private final Map<ErrorCode, Long> errorsSent = new EnumMap<>(ErrorCode.class);
    private final Map<ErrorCode, Long> errorsReceived = new EnumMap<>(ErrorCode.class);

    synchronized void sent(ErrorCode code) {
        errorsSent.merge(code, 1L, Long::sum);
    }

    synchronized void received(ErrorCode code) {
        errorsReceived.merge(code, 1L, Long::sum);
    }

    synchronized TunnelStats snapshot(BatchWriter w, long framesRead, int activeStreams, Duration rtt) {
        return new TunnelStats(w.bytesSent, bytesReceived, w.payloadBytesSent, payloadBytesReceived, w.framesSent,
                framesRead, w.batchesWritten, streamsOpened, streamsAccepted, streamsRefused, activeStreams, rtt,
                w.windowStalls, errorsSent, errorsReceived);
    }
}
