package org.p2pvm.reliability.fuzz;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;

/**
 * A trivial synchronous carrier for fuzzing one engine: its "executor" is a queue the fuzz thread
 * runs until empty ({@link #runUntilIdle}), writes complete at once and are appended to
 * {@link #written}, inbound bytes go straight to the engine. Single-threaded (the fuzz thread).
 */
final class SyncCarrier implements Carrier {
    final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    final ByteArrayOutputStream written = new ByteArrayOutputStream();
    CarrierListener listener;
    boolean readEnabled = true;
    boolean closed;
    private boolean running;

    private final Executor executor = tasks::add;

    void runUntilIdle() {
        if (running) {
            return;
        }
        running = true;
        try {
            Runnable r;
            int guard = 0;
            while ((r = tasks.poll()) != null) {
                r.run();
                if (++guard > 1_000_000) {
                    throw new AssertionError("the engine keeps scheduling work on an idle link (livelock)");
                }
            }
        } finally {
            running = false;
        }
    }

    /** Feeds bytes to the engine on its executor (as a carrier read would). */
    void inject(byte[] bytes, int off, int len) {
        tasks.add(() -> {
            if (!closed && readEnabled) {
                listener.onRead(ByteBuffer.wrap(bytes, off, len));
            }
        });
        runUntilIdle();
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public boolean inExecutor() {
        return running;
    }

    @Override
    public boolean isDialer() {
        return false;
    }

    @Override
    public void write(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        for (int i = 0; i < count; i++) {
            ByteBuffer b = buffers[i];
            byte[] a = new byte[b.remaining()];
            b.get(a);
            written.writeBytes(a);
        }
        tasks.add(() -> completion.complete(closed ? new java.io.IOException("closed") : null));
    }

    @Override
    public boolean isWritable() {
        return !closed;
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        readEnabled = enabled;
    }

    @Override
    public void close(boolean flush) {
        if (!closed) {
            closed = true;
            tasks.add(() -> listener.onClosed(null));
        }
    }

    @Override
    public SocketAddress localAddress() {
        return InetSocketAddress.createUnresolved("fuzz-engine", 1);
    }

    @Override
    public SocketAddress remoteAddress() {
        return InetSocketAddress.createUnresolved("fuzz-peer", 2);
    }
}
