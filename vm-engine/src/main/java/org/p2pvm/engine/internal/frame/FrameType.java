package org.p2pvm.engine.internal.frame;

/**
 * Frame types and flags of PROTOCOL.md §2, with their payload size rules.
 *
 * <pre>
 * +-----------------------+-----------+-----------+-------------------------+
 * | length (24 bits)      | type (8)  | flags (8) | stream id (32 bits)     |
 * +-----------------------+-----------+-----------+-------------------------+
 * | payload (length bytes)                                                  |
 * +-------------------------------------------------------------------------+
 * </pre>
 */
public final class FrameType {
    /** §2: the header is 9 bytes. */
    public static final int HEADER_LENGTH = 9;
    /** §2: largest value of the 24-bit length field. */
    public static final int MAX_LENGTH = 0xFFFFFF;

    public static final int HELLO = 0x0;
    public static final int AUTH = 0x1;
    public static final int PING = 0x2;
    public static final int GOAWAY = 0x3;
    public static final int LISTEN = 0x4;
    public static final int OPEN = 0x5;
    public static final int ACCEPT = 0x6;
    public static final int DATA = 0x7;
    public static final int WINDOW = 0x8;
    public static final int RESET = 0x9;

    /** PING flag: this frame is the reply (§2). */
    public static final int FLAG_ACK = 0x1;
    /** DATA flag: the sender sends no more data on this stream (§2, §5). */
    public static final int FLAG_FIN = 0x1;

    /** §2 payload sizes. */
    public static final int HELLO_MAX = 256;
    public static final int AUTH_LENGTH = 32;
    public static final int PING_LENGTH = 8;
    public static final int GOAWAY_MIN = 4;
    public static final int GOAWAY_MAX = 1028;
    public static final int GOAWAY_REASON_MAX = 1024;
    public static final int LISTEN_LENGTH = 19;
    public static final int OPEN_LENGTH = 36;
    public static final int ACCEPT_LENGTH = 0;
    public static final int WINDOW_LENGTH = 4;
    public static final int RESET_LENGTH = 4;

    /** §4: HELLO magic and version. */
    public static final byte[] MAGIC = {'P', '2', 'P', 'V', 'M'};
    public static final int VERSION = 1;
    public static final int NONCE_LENGTH = 16;
    /** Magic + version + nonce. */
    public static final int HELLO_FIXED = 5 + 1 + NONCE_LENGTH;
    public static final int MAX_SETTINGS = 32;

    private FrameType() {
    }

    /** Whether {@code type} is one of the ten types of §2. */
    public static boolean isKnown(int type) {
        return type >= HELLO && type <= RESET;
    }

    /** The name of a type for logs and frame dumps. */
    public static String name(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case AUTH -> "AUTH";
            case PING -> "PING";
            case GOAWAY -> "GOAWAY";
            case LISTEN -> "LISTEN";
            case OPEN -> "OPEN";
            case ACCEPT -> "ACCEPT";
            case DATA -> "DATA";
            case WINDOW -> "WINDOW";
            case RESET -> "RESET";
            default -> "UNKNOWN(0x" + Integer.toHexString(type) + ")";
        };
    }
}
