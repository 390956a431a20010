package org.p2pvm.transport.websocket.internal;

import java.nio.ByteBuffer;

/** A deterministic byte stream, so receivers can check every byte's value and position. */
final class Pattern {
    private Pattern() {
    }

    static byte at(long pos) {
        return (byte) (pos * 31 + (pos >>> 13));
    }

    /** {@code length} bytes of the stream starting at {@code from}. */
    static ByteBuffer slice(long from, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        for (int i = 0; i < length; i++) {
            b.put(at(from + i));
        }
        return b.flip();
    }
}
