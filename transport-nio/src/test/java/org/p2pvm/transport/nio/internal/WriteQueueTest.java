package org.p2pvm.transport.nio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.p2pvm.engine.Carrier.WriteCompletion;

/** The gathering and accounting of {@link WriteQueue}, without a socket ("writes" move positions by hand). */
class WriteQueueTest {
    private static final WriteCompletion A = f -> { };
    private static final WriteCompletion B = f -> { };

    private static ByteBuffer[] buffers(int... sizes) {
        ByteBuffer[] out = new ByteBuffer[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            out[i] = ByteBuffer.allocate(sizes[i]);
        }
        return out;
    }

    /** Plays a socket that takes {@code n} bytes of the gathered buffers. */
    private static long take(WriteQueue q, int count, long n) {
        long left = n;
        for (int i = 0; i < count && left > 0; i++) {
            ByteBuffer b = q.gathered()[i];
            int step = (int) Math.min(left, b.remaining());
            b.position(b.position() + step);
            left -= step;
        }
        q.written(n - left);
        return n - left;
    }

    @Test
    void gathersAcrossBatchesAndCompletesThemInOrder() {
        WriteQueue q = new WriteQueue(1 << 20);
        q.add(buffers(10, 0, 20), 3, A);
        q.add(buffers(5), 1, B);
        assertEquals(35, q.queuedBytes());
        int n = q.gather(1000);
        assertEquals(3, n, "the empty buffer is skipped");
        assertEquals(35, q.gatheredBytes());

        take(q, n, 15); // a partial write ending inside the second buffer of batch A
        assertEquals(20, q.queuedBytes());
        assertNull(q.pollDone());

        n = q.gather(1000);
        assertEquals(2, n);
        take(q, n, 20);
        assertSame(A, q.pollDone());
        assertSame(B, q.pollDone());
        assertNull(q.pollDone());
        assertEquals(0, q.queuedBytes());
        for (ByteBuffer b : q.gathered()) {
            assertNull(b, "no reference to written buffers is kept");
        }
    }

    @Test
    void stopsAtTheByteLimitButTakesAtLeastOneBuffer() {
        WriteQueue q = new WriteQueue(1 << 20);
        ByteBuffer big = ByteBuffer.allocate(100);
        q.add(new ByteBuffer[] {big, ByteBuffer.allocate(10)}, 2, A);
        int n = q.gather(30);
        assertEquals(1, n);
        assertEquals(30, q.gatheredBytes(), "a buffer above the limit goes out through a cut duplicate");
        take(q, n, 30);
        assertEquals(30, big.position(), "the engine's buffer advances by what the socket took");
        assertEquals(100, big.limit(), "its limit is untouched");
        assertEquals(80, q.queuedBytes());

        n = q.gather(75);
        assertEquals(1, n, "the next buffer would pass the limit");
        assertEquals(70, q.gatheredBytes());
    }

    @Test
    void limitsOneWriteToMaxGatherBuffers() {
        WriteQueue q = new WriteQueue(1 << 20);
        int[] sizes = new int[WriteQueue.MAX_GATHER + 5];
        java.util.Arrays.fill(sizes, 1);
        q.add(buffers(sizes), sizes.length, A);
        assertEquals(WriteQueue.MAX_GATHER, q.gather(Long.MAX_VALUE));
    }

    @Test
    void adaptsTheBytesPerWriteToWhatTheSocketTakes() {
        WriteQueue q = new WriteQueue(16 * 1024);
        int[] sizes = new int[256];
        java.util.Arrays.fill(sizes, 1024);
        q.add(buffers(sizes), sizes.length, A);
        assertEquals(16, q.gather());
        take(q, 16, 16 * 1024); // all taken: offer twice as much next time
        assertEquals(32 * 1024, q.maxBytesPerWrite());
        assertEquals(32, q.gather());
        take(q, 32, 8 * 1024); // less than half taken: halve
        assertEquals(16 * 1024, q.maxBytesPerWrite());
        q.gather();
        take(q, 16, 0);
        assertEquals(8 * 1024, q.maxBytesPerWrite());
        assertEquals(WriteQueue.MIN_WRITE_BYTES, new WriteQueue(0).maxBytesPerWrite());
    }

    @Test
    void emptyBatchesAreDoneAtOnce() {
        WriteQueue q = new WriteQueue(1 << 20);
        q.add(new ByteBuffer[0], 0, A);
        q.add(buffers(0, 0), 2, B);
        assertEquals(0, q.gather(100));
        assertSame(A, q.pollDone());
        assertSame(B, q.pollDone());
    }

    @Test
    void pollAnyDropsWhatIsLeft() {
        WriteQueue q = new WriteQueue(1 << 20);
        q.add(buffers(10), 1, A);
        q.add(buffers(10), 1, B);
        take(q, q.gather(100), 5);
        assertSame(A, q.pollAny());
        assertSame(B, q.pollAny());
        assertNull(q.pollAny());
        assertEquals(0, q.queuedBytes());
    }

    @Test
    void rejectsACountBeyondTheArray() {
        WriteQueue q = new WriteQueue(1 << 20);
        assertThrows(IllegalArgumentException.class, () -> q.add(buffers(1), 2, A));
    }
}
