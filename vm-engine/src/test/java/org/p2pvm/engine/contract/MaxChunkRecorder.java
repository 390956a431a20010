package org.p2pvm.engine.contract;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.VmConnection;

/** Hashes what arrives and remembers the largest single {@code onData}; runs on the tunnel's executor. */
final class MaxChunkRecorder implements VmConnection.Handler {
    private final MessageDigest md = Payload.sha256();
    private volatile int maxChunk;
    final CompletableFuture<byte[]> digest = new CompletableFuture<>();

    int maxChunk() {
        return maxChunk;
    }

    @Override
    public void onData(VmConnection connection, ByteBuffer data) {
        maxChunk = Math.max(maxChunk, data.remaining());
        md.update(data);
    }

    @Override
    public void onInputShutdown(VmConnection connection) {
        digest.complete(md.digest());
    }

    @Override
    public void onClosed(VmConnection connection, Throwable failure) {
        if (failure != null) {
            digest.completeExceptionally(failure);
        }
    }
}
