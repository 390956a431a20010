package org.p2pvm.engine.memory;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.p2pvm.engine.CarrierListener;

/**
 * A fake engine for byte-level carrier tests: records what the carrier delivers, and checks that
 * every callback runs on the carrier's executor. Its fields are written on that executor and read
 * by the test after a future completed or after a task on the same executor ran.
 */
final class RecordingListener implements CarrierListener {
    private final MemoryCarrier carrier;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<Integer> chunkSizes = new ArrayList<>();
    final List<Long> chunkArrivalNanos = new ArrayList<>();
    final AtomicInteger writableCalls = new AtomicInteger();
    final AtomicInteger closedCalls = new AtomicInteger();
    final AtomicInteger offExecutorCalls = new AtomicInteger();
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    final CompletableFuture<Void> writable = new CompletableFuture<>();
    private int expected = -1;
    final CompletableFuture<byte[]> received = new CompletableFuture<>();
    /** Bytes received when onClosed ran. */
    volatile int bytesAtClose = -1;

    RecordingListener(MemoryCarrier carrier) {
        this.carrier = carrier;
    }

    /** Completes {@link #received} once {@code n} bytes have arrived. */
    RecordingListener expect(int n) {
        expected = n;
        return this;
    }

    @Override
    public void onRead(java.nio.ByteBuffer data) {
        check();
        chunkSizes.add(data.remaining());
        chunkArrivalNanos.add(System.nanoTime());
        byte[] b = new byte[data.remaining()];
        data.get(b);
        bytes.write(b, 0, b.length);
        if (expected >= 0 && bytes.size() >= expected) {
            received.complete(bytes.toByteArray());
        }
    }

    @Override
    public void onWritable() {
        check();
        writableCalls.incrementAndGet();
        writable.complete(null);
    }

    @Override
    public void onClosed(Throwable cause) {
        check();
        bytesAtClose = bytes.size();
        closedCalls.incrementAndGet();
        closed.complete(cause);
    }

    int size() {
        return bytes.size();
    }

    byte[] bytes() {
        return bytes.toByteArray();
    }

    private void check() {
        if (!carrier.inExecutor()) {
            offExecutorCalls.incrementAndGet();
        }
    }
}
