package org.p2pvm.engine.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.VmConnection.WriteListener;

/**
 * One application buffer queued on a stream, and the task that queues it on the tunnel's executor
 * (one object per write, not two). The engine owns the buffer until {@link #complete}: it reads it
 * by absolute index, and may hand the buffer itself to the carrier with its position moved (see
 * {@link BatchWriter}); {@link #complete} puts the position back, so the application gets the
 * buffer back as it gave it.
 */
final class PendingWrite implements Runnable {
    final ByteBuffer buffer;
    private final StreamImpl stream;
    private final int start;
    int next;
    final WriteListener listener;

    PendingWrite(StreamImpl stream, ByteBuffer buffer, WriteListener listener) {
        this.stream = stream;
        this.buffer = buffer;
        this.start = buffer.position();
        this.next = start;
        this.listener = listener;
    }

    /** Queues the write on its stream; runs on the tunnel's executor. */
    @Override
    public void run() {
        stream.enqueueWrite(this);
    }

    /**
     * Bytes not yet framed. The end is the buffer's limit, which nobody moves while the engine owns
     * the buffer (not kept in a field: this object is allocated per write, 32 bytes).
     */
    int remaining() {
        return buffer.limit() - next;
    }

    void complete(Throwable failure) {
        buffer.position(start);
        if (listener != null) {
            try {
                listener.onComplete(failure);
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(PendingWrite.class).warn("write listener threw", e);
            }
        }
    }

    /** A listener that completes a future. */
    static WriteListener toFuture(CompletableFuture<Void> f) {
        return failure -> {
            if (failure == null) {
                f.complete(null);
            } else {
                f.completeExceptionally(failure);
            }
        };
    }
}
