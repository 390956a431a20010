package org.p2pvm.engine.internal.frame;

/** Setting ids of PROTOCOL.md §3, carried in HELLO as id u16 + value u32. */
public final class Setting {
    public static final int MAX_FRAME_PAYLOAD = 1;
    public static final int INITIAL_STREAM_WINDOW = 2;
    public static final int INITIAL_TUNNEL_WINDOW = 3;
    public static final int MAX_STREAMS = 4;
    public static final int MAX_LISTENS = 5;

    /** §3 defaults, used for settings a peer does not send. */
    public static final long DEFAULT_MAX_FRAME_PAYLOAD = 16384;
    public static final long DEFAULT_INITIAL_STREAM_WINDOW = 262144;
    public static final long DEFAULT_INITIAL_TUNNEL_WINDOW = 16777216;
    public static final long DEFAULT_MAX_STREAMS = 1048576;
    public static final long DEFAULT_MAX_LISTENS = 4096;

    private Setting() {
    }
}
