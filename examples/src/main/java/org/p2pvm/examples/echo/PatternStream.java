package org.p2pvm.examples.echo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An endless, reproducible stream of pseudo-random bytes: the payload of one echo connection.
 *
 * <p>The sender and the verifier each hold a {@code PatternStream} with the same seed and advance
 * them independently: the sender {@linkplain #fill fills} the chunks it writes, the verifier
 * {@linkplain #verify compares} whatever pieces the echo brings back, however the tunnel split them.
 * Nothing is kept per connection but a position, so 10,000 connections of any size need no copies
 * of their data. Byte {@code i} is byte {@code i % 8} (little end first) of
 * {@code splitmix64(seed + (i / 8) * golden)}.
 *
 * <p>Not thread-safe: confine each instance to one thread or one serial executor.
 */
public final class PatternStream {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final long seed;
    private long position;
    private long word;

    /** A stream at position 0. */
    public PatternStream(long seed) {
        this.seed = seed;
        this.word = wordAt(0);
    }

    /** How many bytes have been produced or verified so far. */
    public long position() {
        return position;
    }

    /** Writes the next {@code dst.remaining()} bytes into {@code dst}, advancing its position. */
    public void fill(ByteBuffer dst) {
        while (dst.hasRemaining() && (position & 7) != 0) {
            dst.put(next());
        }
        // Whole words at a time: byte order little end first, whatever the buffer's order.
        boolean little = dst.order() == ByteOrder.LITTLE_ENDIAN;
        while (dst.remaining() >= 8) {
            dst.putLong(little ? word : Long.reverseBytes(word));
            position += 8;
            word = wordAt(position >>> 3);
        }
        while (dst.hasRemaining()) {
            dst.put(next());
        }
    }

    /**
     * Compares the remaining bytes of {@code data} with the next bytes of the pattern, consuming both.
     *
     * @return -1 when all match, else the stream offset of the first byte that differs; the stream
     *     is then spent and must not be used again
     */
    public long verify(ByteBuffer data) {
        int i = data.position();
        int limit = data.limit();
        while (i < limit && (position & 7) != 0) {
            long at = position;
            if (data.get(i++) != next()) {
                data.position(i);
                return at;
            }
        }
        boolean little = data.order() == ByteOrder.LITTLE_ENDIAN;
        while (limit - i >= 8) {
            long expected = little ? word : Long.reverseBytes(word);
            if (data.getLong(i) != expected) {
                break; // the byte loop below finds the exact offset
            }
            i += 8;
            position += 8;
            word = wordAt(position >>> 3);
        }
        while (i < limit) {
            long at = position;
            if (data.get(i++) != next()) {
                data.position(i);
                return at;
            }
        }
        data.position(limit);
        return -1;
    }

    private byte next() {
        int shift = (int) (position & 7) << 3;
        byte b = (byte) (word >>> shift);
        position++;
        if ((position & 7) == 0) {
            word = wordAt(position >>> 3);
        }
        return b;
    }

    private long wordAt(long index) {
        long z = seed + (index + 1) * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
