package org.p2pvm.transport.websocket.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pvm.engine.Carrier;

/**
 * A fake engine writer: writes {@link Pattern} bytes as gathering batches while the carrier is
 * writable, and waits for onWritable otherwise — the engine's writer loop in miniature.
 */
final class BatchWriter {
    private final Carrier carrier;
    private final long total;
    private final int batchBytes;
    private final int buffersPerBatch;
    private long written; // executor only
    final AtomicLong completed = new AtomicLong();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile boolean blocked;
    private CompletableFuture<Void> nextStall; // executor only

    BatchWriter(Carrier carrier, long total, int batchBytes, int buffersPerBatch) {
        this.carrier = carrier;
        this.total = total;
        this.batchBytes = batchBytes;
        this.buffersPerBatch = buffersPerBatch;
    }

    /** Starts writing, from any thread. */
    void start() {
        carrier.executor().execute(this::pump);
    }

    /** On the executor. */
    void pump() {
        while (written < total && carrier.isWritable()) {
            int size = (int) Math.min(batchBytes, total - written);
            int parts = Math.min(buffersPerBatch, size);
            ByteBuffer[] batch = new ByteBuffer[parts + 1]; // one spare slot: count < length
            long pos = written;
            for (int i = 0; i < parts; i++) {
                int len = i == parts - 1 ? size - (size / parts) * (parts - 1) : size / parts;
                batch[i] = Pattern.slice(pos, len);
                pos += len;
            }
            batch[parts] = ByteBuffer.wrap(new byte[] {1, 2, 3}); // beyond count: must not be sent
            written += size;
            carrier.write(batch, parts, failure -> {
                if (failure != null) {
                    done.completeExceptionally(failure);
                } else if (completed.addAndGet(size) == total) {
                    done.complete(null);
                }
            });
        }
        blocked = written < total;
        if (blocked && nextStall != null) {
            nextStall.complete(null);
            nextStall = null;
        }
    }

    /**
     * Completes once the writer waits for the carrier's writability: at once if it already does, else
     * the next time it has to. Checked on the executor, so no stall is missed.
     */
    CompletableFuture<Void> awaitStall() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        carrier.executor().execute(() -> {
            if (blocked) {
                f.complete(null);
            } else {
                nextStall = f;
            }
        });
        return f;
    }
}
