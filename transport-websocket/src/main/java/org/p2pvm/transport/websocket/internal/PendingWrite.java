package org.p2pvm.transport.websocket.internal;

import java.nio.ByteBuffer;
import org.p2pvm.engine.Carrier.WriteCompletion;

/**
 * One engine batch on its way out as one WebSocket binary message. The buffers belong to the
 * carrier until {@link #completion} runs; only the carrier's executor touches this object.
 */
final class PendingWrite {
    final ByteBuffer[] buffers;
    final int count;
    final WriteCompletion completion;
    final long bytes;
    /** Index of the first buffer with bytes left. */
    int index;

    PendingWrite(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        if (count < 0 || count > buffers.length) {
            throw new IllegalArgumentException("count " + count + " outside 0.." + buffers.length);
        }
        this.buffers = buffers;
        this.count = count;
        this.completion = completion;
        long sum = 0;
        for (int i = 0; i < count; i++) {
            sum += buffers[i].remaining();
        }
        this.bytes = sum;
    }

    /** Skips exhausted buffers; true when every byte has been taken. */
    boolean drained() {
        while (index < count && !buffers[index].hasRemaining()) {
            index++;
        }
        return index >= count;
    }
}
