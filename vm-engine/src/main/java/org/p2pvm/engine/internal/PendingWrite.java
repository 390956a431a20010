package org.p2pvm.engine.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.VmConnection.WriteListener;

/**
 * One application buffer queued on a stream. The engine reads it by absolute index and never moves
 * the buffer's own position, so the application gets it back as it gave it.
 */
final class PendingWrite {
    final ByteBuffer buffer;
    int next;
    final int end;
    final WriteListener listener;

    PendingWrite(ByteBuffer buffer, WriteListener listener) {
        this.buffer = buffer;
        this.next = buffer.position();
        this.end = buffer.limit();
        this.listener = listener;
    }

    int remaining() {
        return end - next;
    }

    void complete(Throwable failure) {
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
