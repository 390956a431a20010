package org.p2pvm.engine.contract;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.VmConnection;

/**
 * A manual-consume handler (§6): it reports consumption only in batches of {@code batch} bytes (and
 * the rest at FIN), tracking the most it ever held unconsumed. {@link #digest} completes with the
 * SHA-256 of everything at FIN, when it answers with its own FIN. Runs on the tunnel's executor.
 */
final class ManualConsumer implements VmConnection.Handler {
    private final int batch;
    private final MessageDigest md = Payload.sha256();
    private volatile long maxUnconsumed;
    private long unconsumed;
    final CompletableFuture<byte[]> digest = new CompletableFuture<>();

    ManualConsumer(int batch) {
        this.batch = batch;
    }

    long maxUnconsumed() {
        return maxUnconsumed;
    }

    @Override
    public void onData(VmConnection connection, ByteBuffer data) {
        unconsumed += data.remaining();
        maxUnconsumed = Math.max(maxUnconsumed, unconsumed);
        md.update(data);
        if (unconsumed >= batch) {
            connection.consume((int) unconsumed);
            unconsumed = 0;
        }
    }

    @Override
    public void onInputShutdown(VmConnection connection) {
        if (unconsumed > 0) {
            connection.consume((int) unconsumed);
            unconsumed = 0;
        }
        digest.complete(md.digest());
        connection.shutdownOutput(); // nothing to send back: FIN, so the stream can close
    }

    @Override
    public void onClosed(VmConnection connection, Throwable failure) {
        if (failure != null) {
            digest.completeExceptionally(failure);
        }
    }
}
