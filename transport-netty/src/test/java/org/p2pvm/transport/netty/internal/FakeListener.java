package org.p2pvm.transport.netty.internal;

import io.netty.channel.Channel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.List;
import org.p2pvm.engine.CarrierListener;

/**
 * A stand-in for the engine: records what the carrier delivers, and checks every call arrives on the
 * channel's event loop and that the buffer is not used after onRead returns.
 */
final class FakeListener implements CarrierListener {
    final Channel channel;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();
    final LinkedBlockingQueue<Integer> readSizes = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();
    volatile int closedCalls;
    /** What had been delivered when onClosed came. */
    volatile byte[] bytesAtClose;
    /** Runs inside each onRead, on the loop (e.g. to turn reading off). */
    volatile Runnable onReadHook;

    FakeListener(Channel channel) {
        this.channel = channel;
    }

    private void checkThread(String what) {
        if (!channel.eventLoop().inEventLoop()) {
            violations.add(what + " called off the event loop on " + Thread.currentThread().getName());
        }
    }

    @Override
    public void onRead(ByteBuffer data) {
        checkThread("onRead");
        int n = data.remaining();
        synchronized (received) {
            while (data.hasRemaining()) {
                received.write(data.get());
            }
        }
        readSizes.add(n);
        Runnable hook = onReadHook;
        if (hook != null) {
            hook.run();
        }
    }

    @Override
    public void onWritable() {
        checkThread("onWritable");
        events.add("writable");
    }

    @Override
    public void onClosed(Throwable cause) {
        checkThread("onClosed");
        closedCalls++;
        bytesAtClose = receivedBytes();
        events.add("closed");
        closed.complete(cause == null ? new NoCause() : cause);
    }

    byte[] receivedBytes() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    /** Waits until at least {@code n} bytes arrived. */
    byte[] awaitBytes(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (receivedBytes().length < n) {
            if (readSizes.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS) == null) {
                throw new AssertionError("only " + receivedBytes().length + " of " + n + " bytes arrived");
            }
        }
        return receivedBytes();
    }

    /** Marks an orderly close in {@link #closed}. */
    static final class NoCause extends Throwable {
        NoCause() {
            super("orderly close", null, false, false);
        }
    }
}
