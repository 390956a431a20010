package org.p2pvm.transport.websocket.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** Builds frames as an RFC 6455 client sends them (masked), for decoder tests. */
final class ClientFrames {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int nextKey = 0x01020304;

    /** A masked frame (the key changes from frame to frame). */
    ClientFrames frame(int opcode, boolean fin, byte[] payload) {
        return frame(opcode, fin, payload, true, 0);
    }

    ClientFrames frame(int opcode, boolean fin, byte[] payload, boolean masked, int rsv) {
        out.write((fin ? 0x80 : 0) | rsv << 4 | opcode);
        int maskBit = masked ? 0x80 : 0;
        int n = payload.length;
        if (n < 126) {
            out.write(maskBit | n);
        } else if (n <= 0xffff) {
            out.write(maskBit | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) n >>> shift));
            }
        }
        int key = nextKey;
        nextKey = nextKey * 31 + 0x9e3779b9;
        if (masked) {
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write(key >>> shift);
            }
        }
        for (int i = 0; i < n; i++) {
            out.write(masked ? payload[i] ^ WsMaskingTest.keyByte(key, i) : payload[i]);
        }
        return this;
    }

    /** A frame header claiming {@code length} bytes (64-bit form), no payload. */
    ClientFrames header64(int opcode, boolean fin, long length) {
        out.write((fin ? 0x80 : 0) | opcode);
        out.write(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (length >>> shift));
        }
        out.writeBytes(new byte[] {9, 8, 7, 6});
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes());
    }
}
