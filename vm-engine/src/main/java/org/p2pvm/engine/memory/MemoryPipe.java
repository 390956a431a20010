package org.p2pvm.engine.memory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Random;

/**
 * One direction of a {@link MemoryLink}: the bytes one end wrote and the other has not read yet.
 *
 * <p>Threads: {@link #offer} and {@link #writable} are called on the writing end's executor,
 * {@link #take} on the reading end's executor, the close methods from either; all state is guarded by
 * {@code this} (a short lock per batch or chunk: this is a test wire, not the engine's data path).
 * {@link #chunk} is touched only by the reading end's executor.
 *
 * <p>Buffers: {@link #offer} copies the written bytes (a wire copies, so may we) and keeps no
 * reference to the caller's buffers. {@link #take} copies the next chunk into {@link #chunk}, which
 * the reading end lends to its listener for one {@code onRead} call and then reuses.
 */
final class MemoryPipe {
    /** {@link #take} result: nothing in flight. */
    static final int EMPTY = -1;
    /** {@link #take} result: nothing in flight and the writer closed: end of stream. */
    static final int EOF = -2;
    /** {@link #take} result: bytes are in flight but not yet due (one-way delay). */
    static final int NOT_DUE = -3;

    private final int maxChunk;
    private final long bufferLimit;
    private final long delayNanos;
    private final Random random;
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private long queued;
    private boolean writerWaiting;
    private boolean eof;
    private boolean readerGone;
    private Runnable writerWakeup = () -> { };

    /** The reading end's delivery buffer; only its executor touches it. */
    final byte[] chunk;

    MemoryPipe(MemoryLink.Settings settings, long seed) {
        this.maxChunk = settings.maxChunk();
        this.bufferLimit = settings.bufferLimit();
        this.delayNanos = settings.oneWayDelay().toNanos();
        this.random = new Random(seed);
        this.chunk = new byte[maxChunk];
    }

    /** Set once by the writing end: posts {@code onWritable} to it. */
    void writerWakeup(Runnable wakeup) {
        this.writerWakeup = wakeup;
    }

    /** The one-way delay in nanoseconds (0: deliver at once). */
    long delayNanos() {
        return delayNanos;
    }

    /**
     * Copies {@code count} buffers' remaining bytes into the pipe, leaving the buffers untouched.
     *
     * @return false when the reader has closed: the bytes were discarded, as a wire to a closed peer
     *     would
     */
    boolean offer(ByteBuffer[] buffers, int count) {
        long total = 0;
        for (int i = 0; i < count; i++) {
            total += buffers[i].remaining();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a memory carrier write is limited to 2 GiB, got " + total + " bytes");
        }
        byte[] data = new byte[(int) total];
        int at = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer b = buffers[i].duplicate();
            int n = b.remaining();
            b.get(data, at, n);
            at += n;
        }
        long due = System.nanoTime() + delayNanos;
        synchronized (this) {
            if (readerGone || eof) {
                return false;
            }
            if (data.length > 0) {
                segments.add(new Segment(data, due));
                queued += data.length;
                if (queued > bufferLimit) {
                    writerWaiting = true;
                }
            }
            return true;
        }
    }

    /** Whether at most bufferLimit bytes are in flight; if not, the writer will be woken when they are. */
    synchronized boolean writable() {
        if (queued > bufferLimit) {
            writerWaiting = true;
            return false;
        }
        return true;
    }

    /** Bytes written and not yet taken by the reader. */
    synchronized long queued() {
        return queued;
    }

    /**
     * Cuts the next chunk (1 to maxChunk bytes, pseudo-random, possibly spanning writes) into
     * {@link #chunk}.
     *
     * @param now {@link System#nanoTime()}
     * @return the chunk's length, or {@link #EMPTY}, {@link #EOF}, {@link #NOT_DUE}
     */
    int take(long now) {
        boolean wake = false;
        int copied;
        synchronized (this) {
            Segment head = segments.peek();
            if (head == null) {
                return eof ? EOF : EMPTY;
            }
            if (head.due - now > 0) {
                return NOT_DUE;
            }
            int want = 1 + random.nextInt(maxChunk);
            copied = 0;
            while (copied < want && head != null && head.due - now <= 0) {
                int n = Math.min(want - copied, head.data.length - head.pos);
                System.arraycopy(head.data, head.pos, chunk, copied, n);
                head.pos += n;
                copied += n;
                if (head.pos == head.data.length) {
                    segments.poll();
                    head = segments.peek();
                }
            }
            queued -= copied;
            if (writerWaiting && queued <= bufferLimit) {
                writerWaiting = false;
                wake = true;
            }
        }
        if (wake) {
            writerWakeup.run();
        }
        return copied;
    }

    /** Whether nothing is in flight and the writer closed (EOF can be delivered even while reading is off). */
    synchronized boolean atEof() {
        return eof && segments.isEmpty();
    }

    /**
     * The writer closes its side: the reader sees EOF after the bytes in flight ({@code flush}), or at
     * once with those bytes dropped.
     */
    void closeWriter(boolean flush) {
        synchronized (this) {
            eof = true;
            if (!flush) {
                segments.clear();
                queued = 0;
            }
        }
    }

    /**
     * The reader is gone (it closed, or the link was killed): bytes in flight and later writes are
     * dropped, and a writer waiting for room is woken (there is room now).
     */
    void closeReader() {
        boolean wake;
        synchronized (this) {
            readerGone = true;
            segments.clear();
            queued = 0;
            wake = writerWaiting;
            writerWaiting = false;
        }
        if (wake) {
            writerWakeup.run();
        }
    }

    /** One write's bytes, and when they may be delivered. */
    private static final class Segment {
        final byte[] data;
        final long due;
        int pos;

        Segment(byte[] data, long due) {
            this.data = data;
            this.due = due;
        }
    }
}
