package org.p2pvm.transport.nio.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.p2pvm.engine.Carrier.WriteCompletion;

/**
 * The outbound batches of one carrier that the socket has not fully taken yet, and the gathering
 * array handed to the socket. Batches are written in order; a gathering write may span several
 * batches and may end anywhere inside one (a partial write: the socket buffer filled up).
 *
 * <p>Progress is the buffers' own positions, which the socket advances: a batch is done when its
 * last buffer has nothing remaining. The queue holds the engine's buffers and arrays until their
 * batch is done or failed, and drops every reference then (the gathering array is cleared after
 * each write).
 *
 * <p>Loop thread only; not thread-safe. Allocation per batch: one small entry.
 */
final class WriteQueue {
    /** The most buffers one gathering write takes (Linux IOV_MAX, as Netty uses). */
    static final int MAX_GATHER = 1024;
    static final long MIN_WRITE_BYTES = 4096;
    static final long MAX_WRITE_BYTES = 64L << 20;

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private int gathered;
    private long gatheredBytes;
    private long queuedBytes;
    /** A buffer larger than one write's byte limit goes out through a shorter duplicate. */
    private ByteBuffer cutSource;
    private ByteBuffer cutCopy;
    /** About how many bytes one gathering write offers the socket; adapted after each write. */
    private long maxBytesPerWrite;

    /**
     * @param initialBytesPerWrite the first limit of one gathering write (twice the socket's send
     *     buffer, as Netty starts)
     */
    WriteQueue(long initialBytesPerWrite) {
        this.maxBytesPerWrite = clamp(initialBytesPerWrite);
    }

    /** Queues one batch: {@code count} buffers from {@code buffers[0]}. */
    void add(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        if (count < 0 || count > buffers.length) {
            throw new IllegalArgumentException("count is " + count + " but the batch holds " + buffers.length
                    + " buffers");
        }
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += buffers[i].remaining();
        }
        entries.add(new Entry(buffers, count, completion));
        queuedBytes += bytes;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Bytes queued and not yet taken by the socket. */
    long queuedBytes() {
        return queuedBytes;
    }

    /** {@link #gather(long)} with the adapted limit. */
    int gather() {
        return gather(maxBytesPerWrite);
    }

    /** The current limit of one gathering write. */
    long maxBytesPerWrite() {
        return maxBytesPerWrite;
    }

    /**
     * Fills the gathering array from the oldest batches, up to {@link #MAX_GATHER} buffers and about
     * {@code maxBytes} (at least one buffer, cut to {@code maxBytes} if it alone is larger). Empty
     * buffers are skipped.
     *
     * @return the number of buffers in {@link #gathered()}
     */
    int gather(long maxBytes) {
        gathered = 0;
        gatheredBytes = 0;
        outer:
        for (Entry e : entries) {
            for (int i = e.index; i < e.count; i++) {
                ByteBuffer b = e.buffers[i];
                int r = b.remaining();
                if (r == 0) {
                    continue;
                }
                if (gatheredBytes + r > maxBytes) {
                    if (gathered == 0) {
                        cutSource = b;
                        cutCopy = b.duplicate();
                        cutCopy.limit(b.position() + (int) Math.min(maxBytes, r));
                        gather[gathered++] = cutCopy;
                        gatheredBytes = cutCopy.remaining();
                    }
                    break outer;
                }
                gather[gathered++] = b;
                gatheredBytes += r;
                if (gathered == MAX_GATHER) {
                    break outer;
                }
            }
        }
        return gathered;
    }

    /** The array filled by {@link #gather}. */
    ByteBuffer[] gathered() {
        return gather;
    }

    /** Bytes in the gathered buffers. */
    long gatheredBytes() {
        return gatheredBytes;
    }

    /**
     * Accounts for a write of {@code written} bytes from the gathered buffers, clears the array, and
     * adapts the limit as Netty's {@code NioSocketChannel} does: doubled after a write the socket
     * took whole, halved after one it took less than half of. The limit exists because the JDK copies
     * heap buffers into a temporary direct buffer of the whole offered size.
     */
    void written(long written) {
        if (gathered > 0) {
            if (written == gatheredBytes) {
                if (gatheredBytes << 1 > maxBytesPerWrite) {
                    maxBytesPerWrite = clamp(gatheredBytes << 1);
                }
            } else if (gatheredBytes > MIN_WRITE_BYTES && written < gatheredBytes >>> 1) {
                maxBytesPerWrite = clamp(gatheredBytes >>> 1);
            }
        }
        if (cutSource != null) {
            cutSource.position(cutCopy.position());
            cutSource = null;
            cutCopy = null;
        }
        Arrays.fill(gather, 0, gathered, null);
        gathered = 0;
        queuedBytes -= written;
    }

    /**
     * Removes and returns the oldest batch if the socket has taken all of it (or it was empty), else
     * null. Call its completion after removing it: it may queue new batches.
     */
    WriteCompletion pollDone() {
        Entry e = entries.peek();
        if (e == null) {
            return null;
        }
        while (e.index < e.count && !e.buffers[e.index].hasRemaining()) {
            e.index++;
        }
        if (e.index < e.count) {
            return null;
        }
        entries.poll();
        return e.completion;
    }

    /**
     * Removes the oldest batch whatever its progress (the link is closing), or returns null when none
     * is left. Call its completion with the failure.
     */
    WriteCompletion pollAny() {
        Entry e = entries.poll();
        if (e == null) {
            queuedBytes = 0;
            return null;
        }
        for (int i = e.index; i < e.count; i++) {
            queuedBytes -= e.buffers[i].remaining();
        }
        return e.completion;
    }

    private static long clamp(long bytes) {
        return Math.max(MIN_WRITE_BYTES, Math.min(MAX_WRITE_BYTES, bytes));
    }

    /** One batch of the engine. */
    private static final class Entry {
        final ByteBuffer[] buffers;
        final int count;
        final WriteCompletion completion;
        int index;

        Entry(ByteBuffer[] buffers, int count, WriteCompletion completion) {
            this.buffers = buffers;
            this.count = count;
            this.completion = completion;
        }
    }
}
