package org.p2pvm.transport.websocket.internal;

import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pvm.engine.Carrier;
import org.p2pvm.Tunnel;
import org.p2pvm.engine.TunnelEngine;

/**
 * A fake engine session for byte-level carrier tests: checks that inbound bytes follow {@link Pattern},
 * can disable reading after a number of bytes (a slow reader), drives an optional
 * {@link BatchWriter} on writability, and records the close.
 */
final class RecordingListener implements TunnelEngine.TunnelSession {
    /** What the carrier sees as the engine's handshake (a test may fail it). */
    final CompletableFuture<Tunnel> handshake = new CompletableFuture<>();
    final Carrier carrier;
    final AtomicLong received = new AtomicLong();
    final AtomicInteger writableEvents = new AtomicInteger();
    final CompletableFuture<Optional<Throwable>> closed = new CompletableFuture<>();
    final CompletableFuture<Long> receivedAll = new CompletableFuture<>();
    volatile long expectTotal = Long.MAX_VALUE;
    volatile long pauseAt = Long.MAX_VALUE;
    /** Completes when reading was turned off at {@link #pauseAt}. */
    final java.util.concurrent.CompletableFuture<Void> paused = new java.util.concurrent.CompletableFuture<>();
    volatile BatchWriter writer;
    volatile String failure;

    RecordingListener(Carrier carrier) {
        this.carrier = carrier;
    }

    @Override
    public void onRead(ByteBuffer data) {
        if (!carrier.inExecutor()) {
            failure = "onRead off the executor";
        }
        long pos = received.get();
        while (data.hasRemaining()) {
            byte b = data.get();
            if (b != Pattern.at(pos) && failure == null) {
                failure = "byte " + pos + " is " + b + " but should be " + Pattern.at(pos);
            }
            pos++;
        }
        received.set(pos);
        if (pos >= pauseAt) {
            pauseAt = Long.MAX_VALUE;
            carrier.setReadEnabled(false);
            paused.complete(null);
        }
        if (pos >= expectTotal) {
            receivedAll.complete(pos);
        }
    }

    @Override
    public void onWritable() {
        if (!carrier.inExecutor()) {
            failure = "onWritable off the executor";
        }
        writableEvents.incrementAndGet();
        BatchWriter w = writer;
        if (w != null) {
            w.pump();
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        if (closed.isDone()) {
            failure = "onClosed called twice";
        }
        closed.complete(Optional.ofNullable(cause));
    }

    @Override
    public CompletableFuture<Tunnel> handshake() {
        return handshake;
    }

    @Override
    public Tunnel tunnel() {
        return null; // no engine: the carrier then closes by itself on local failures
    }

    /** Re-enables reading, on the carrier's executor. */
    void resume() {
        carrier.executor().execute(() -> carrier.setReadEnabled(true));
    }
}
