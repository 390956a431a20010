package org.p2pvm.transport.nio.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pvm.engine.CarrierListener;

/**
 * A fake engine for carrier tests: records every callback, checks it runs on the carrier's loop,
 * copies what it reads (the buffer is the loop's and reused), and lets a test hook into callbacks.
 * State is touched on the loop only; tests read it through {@link CarrierFixture#onLoop}.
 */
final class RecordingListener implements CarrierListener {
    private final NioLoop loop;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    int reads;
    int writables;
    int closes;
    volatile String violation;
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    Consumer<ByteBuffer> onReadHook = b -> { };
    Runnable onWritableHook = () -> { };
    private long waitingFor = -1;
    private CompletableFuture<Void> bytesArrived;

    RecordingListener(NioLoop loop) {
        this.loop = loop;
    }

    @Override
    public void onRead(ByteBuffer data) {
        check("onRead");
        reads++;
        byte[] copy = new byte[data.remaining()];
        data.get(copy);
        received.write(copy, 0, copy.length);
        onReadHook.accept(data);
        if (bytesArrived != null && received.size() >= waitingFor) {
            bytesArrived.complete(null);
            bytesArrived = null;
        }
    }

    @Override
    public void onWritable() {
        check("onWritable");
        writables++;
        onWritableHook.run();
    }

    @Override
    public void onClosed(Throwable cause) {
        check("onClosed");
        closes++;
        if (closes > 1) {
            violation = "onClosed called " + closes + " times";
        }
        closed.complete(cause);
    }

    /** Loop thread: completes once at least {@code n} bytes have been received. */
    CompletableFuture<Void> awaitBytes(long n) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        if (received.size() >= n) {
            f.complete(null);
        } else {
            waitingFor = n;
            bytesArrived = f;
        }
        return f;
    }

    private void check(String what) {
        if (!loop.inLoop()) {
            violation = what + " called on " + Thread.currentThread().getName() + ", not on the carrier's loop";
        }
    }
}
