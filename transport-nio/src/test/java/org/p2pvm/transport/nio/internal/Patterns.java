package org.p2pvm.transport.nio.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Random;

/** A byte stream whose every byte is known from its offset, to verify order and completeness. */
final class Patterns {
    private Patterns() {
    }

    static byte at(long offset) {
        return (byte) (offset ^ (offset >>> 8) ^ (offset >>> 16) ^ 0x5A);
    }

    /**
     * A batch of {@code count} buffers continuing the pattern from {@code offset}: heap and direct,
     * sizes from 0 to {@code maxSize}, some with non-zero positions (slices).
     */
    static ByteBuffer[] batch(long offset, int count, int maxSize, Random random) {
        ByteBuffer[] out = new ByteBuffer[count];
        long pos = offset;
        for (int i = 0; i < count; i++) {
            int size = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(maxSize);
            int pad = random.nextInt(4);
            ByteBuffer b = random.nextBoolean() ? ByteBuffer.allocate(size + pad) : ByteBuffer.allocateDirect(size + pad);
            b.position(pad);
            for (int j = 0; j < size; j++) {
                b.put(at(pos + j));
            }
            b.position(pad);
            out[i] = b;
            pos += size;
        }
        return out;
    }

    static long remaining(ByteBuffer[] buffers) {
        long r = 0;
        for (ByteBuffer b : buffers) {
            r += b.remaining();
        }
        return r;
    }

    /** Reads exactly {@code n} bytes and checks them against the pattern from {@code offset}. */
    static void readAndVerify(InputStream in, long offset, long n) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long done = 0;
        while (done < n) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                throw new IOException("EOF after " + done + " of " + n + " bytes");
            }
            for (int i = 0; i < r; i++) {
                if (buf[i] != at(offset + done + i)) {
                    throw new IOException("byte " + (offset + done + i) + " is " + buf[i] + ", expected "
                            + at(offset + done + i));
                }
            }
            done += r;
        }
    }

    /** Writes {@code n} pattern bytes from {@code offset}. */
    static void write(OutputStream out, long offset, long n) throws IOException {
        byte[] buf = new byte[32 * 1024];
        long done = 0;
        while (done < n) {
            int len = (int) Math.min(buf.length, n - done);
            for (int i = 0; i < len; i++) {
                buf[i] = at(offset + done + i);
            }
            out.write(buf, 0, len);
            done += len;
        }
        out.flush();
    }

    /** Checks bytes received by the listener against the pattern from 0. */
    static void verify(byte[] received) {
        for (int i = 0; i < received.length; i++) {
            if (received[i] != at(i)) {
                throw new AssertionError("byte " + i + " is " + received[i] + ", expected " + at(i));
            }
        }
    }
}
