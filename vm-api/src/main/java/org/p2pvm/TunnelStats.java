package org.p2pvm;

import java.time.Duration;
import java.util.Map;

/**
 * A snapshot of one tunnel's counters. Taken while traffic flows, the numbers are each exact but
 * not read at one instant.
 *
 * @param bytesSent carrier bytes written (headers and payloads)
 * @param bytesReceived carrier bytes read
 * @param payloadBytesSent DATA payload bytes written
 * @param payloadBytesReceived DATA payload bytes read
 * @param framesSent frames written
 * @param framesReceived frames read
 * @param batchesWritten carrier writes (each one gathering write of up to maxBatchBytes)
 * @param streamsOpened streams this end opened
 * @param streamsAccepted streams the peer opened and this end accepted
 * @param streamsRefused streams the peer opened and this end refused
 * @param activeStreams streams in the table now
 * @param rtt smoothed PING round trip time, {@link Duration#ZERO} before the first PING returns
 * @param windowStalls times the writer found a stream with data but no credit (stream or tunnel)
 * @param errorsSent RESET and GOAWAY codes sent, by code
 * @param errorsReceived RESET and GOAWAY codes received, by code
 */
public record TunnelStats(
        long bytesSent,
        long bytesReceived,
        long payloadBytesSent,
        long payloadBytesReceived,
        long framesSent,
        long framesReceived,
        long batchesWritten,
        long streamsOpened,
        long streamsAccepted,
        long streamsRefused,
        int activeStreams,
        Duration rtt,
        long windowStalls,
        Map<ErrorCode, Long> errorsSent,
        Map<ErrorCode, Long> errorsReceived) {

    public TunnelStats {
        errorsSent = Map.copyOf(errorsSent);
        errorsReceived = Map.copyOf(errorsReceived);
    }
}
