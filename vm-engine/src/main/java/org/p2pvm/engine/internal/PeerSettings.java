package org.p2pvm.engine.internal;

import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.internal.frame.ProtocolViolation;
import org.p2pvm.engine.internal.frame.Setting;

/**
 * The §3 settings one end advertised in its HELLO: what the other end must respect when sending.
 */
record PeerSettings(int maxFramePayload, int initialStreamWindow, int initialTunnelWindow, long maxStreams,
        long maxListens) {

    /** The settings this end advertises, as (id, value) pairs for HELLO. */
    static long[] advertised(TunnelOptions o) {
        return new long[] {
            Setting.MAX_FRAME_PAYLOAD, o.maxFragmentSize(),
            Setting.INITIAL_STREAM_WINDOW, o.initialStreamWindow(),
            Setting.INITIAL_TUNNEL_WINDOW, o.initialTunnelWindow(),
            Setting.MAX_STREAMS, o.maxStreams(),
            Setting.MAX_LISTENS, o.maxListens(),
        };
    }

    /** Builds the peer's settings from (id, value) pairs; unknown ids are ignored, bad values rejected (§3). */
    static PeerSettings fromPairs(int[] ids, long[] values, int count) throws ProtocolViolation {
        long frame = Setting.DEFAULT_MAX_FRAME_PAYLOAD;
        long stream = Setting.DEFAULT_INITIAL_STREAM_WINDOW;
        long tunnel = Setting.DEFAULT_INITIAL_TUNNEL_WINDOW;
        long streams = Setting.DEFAULT_MAX_STREAMS;
        long listens = Setting.DEFAULT_MAX_LISTENS;
        for (int i = 0; i < count; i++) {
            long v = values[i];
            switch (ids[i]) {
                case Setting.MAX_FRAME_PAYLOAD -> frame = check("MAX_FRAME_PAYLOAD", v, TunnelOptions.MIN_FRAGMENT_SIZE,
                        TunnelOptions.MAX_FRAGMENT_SIZE);
                case Setting.INITIAL_STREAM_WINDOW -> stream = check("INITIAL_STREAM_WINDOW", v, 1, Integer.MAX_VALUE);
                case Setting.INITIAL_TUNNEL_WINDOW -> tunnel = check("INITIAL_TUNNEL_WINDOW", v, 1, Integer.MAX_VALUE);
                case Setting.MAX_STREAMS -> streams = v;
                case Setting.MAX_LISTENS -> listens = v;
                default -> {
                    // §3: unknown setting ids are ignored
                }
            }
        }
        return new PeerSettings((int) frame, (int) stream, (int) tunnel, streams, listens);
    }

    private static long check(String name, long v, long min, long max) throws ProtocolViolation {
        if (v < min || v > max) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "setting " + name + " = " + v
                    + " is out of range " + min + ".." + max + " (§3)");
        }
        return v;
    }
}
