package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;
import org.p2pvm.engine.SerialExecutor;
import org.p2pvm.engine.TunnelEngine;

/**
 * A tunnel pair over an in-memory carrier whose executors are {@link SerialExecutor}s on a plain
 * thread pool: a stand-in for a non-Netty carrier (nio, grizzly, websocket), to exercise the
 * virtual channel's hand-off path. Test only.
 */
final class MemoryTunnels implements AutoCloseable {
    private final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "memory-carrier");
        t.setDaemon(true);
        return t;
    });
    final Tunnel dialer;
    final Tunnel acceptor;

    MemoryTunnels(TunnelOptions options, Consumer<Tunnel> onAcceptorOpen) throws Exception {
        MemoryCarrier a = new MemoryCarrier(new SerialExecutor(pool), true);
        MemoryCarrier b = new MemoryCarrier(new SerialExecutor(pool), false);
        a.peer = b;
        b.peer = a;
        CompletableFuture<Tunnel> fa = new CompletableFuture<>();
        CompletableFuture<Tunnel> fb = new CompletableFuture<>();
        // bytes that reach an end before its engine started are held until it has (see receive)
        b.executor.execute(() -> {
            TunnelEngine.TunnelSession s = TunnelEngine.open(b, options, onAcceptorOpen == null ? null : onAcceptorOpen::accept);
            b.started(s);
            s.handshake().whenComplete((t, e) -> complete(fb, t, e));
        });
        a.executor.execute(() -> {
            TunnelEngine.TunnelSession s = TunnelEngine.open(a, options, null);
            a.started(s);
            s.handshake().whenComplete((t, e) -> complete(fa, t, e));
        });
        dialer = fa.get(10, SECONDS);
        acceptor = fb.get(10, SECONDS);
    }

    private static void complete(CompletableFuture<Tunnel> f, Tunnel t, Throwable e) {
        if (e != null) {
            f.completeExceptionally(e);
        } else {
            f.complete(t);
        }
    }

    @Override
    public void close() throws Exception {
        // not graceful: a test may leave streams open, and a graceful close would wait for them
        dialer.close(org.p2pvm.ErrorCode.CANCELLED, "test over");
        try {
            dialer.closeFuture().get(5, SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    private static final class MemoryCarrier implements Carrier {
        final SerialExecutor executor;
        final boolean isDialer;
        MemoryCarrier peer;
        CarrierListener listener;
        boolean readEnabled = true;
        final ArrayDeque<byte[]> held = new ArrayDeque<>();
        boolean closed;

        MemoryCarrier(SerialExecutor executor, boolean isDialer) {
            this.executor = executor;
            this.isDialer = isDialer;
        }

        @Override
        public Executor executor() {
            return executor;
        }

        @Override
        public boolean inExecutor() {
            return executor.inExecutor();
        }

        @Override
        public boolean isDialer() {
            return isDialer;
        }

        @Override
        public void write(ByteBuffer[] buffers, int count, WriteCompletion completion) {
            int n = 0;
            for (int i = 0; i < count; i++) {
                n += buffers[i].remaining();
            }
            byte[] copy = new byte[n];
            int off = 0;
            for (int i = 0; i < count; i++) {
                int r = buffers[i].remaining();
                buffers[i].duplicate().get(copy, off, r);
                off += r;
            }
            MemoryCarrier p = peer;
            p.executor.execute(() -> p.receive(copy));
            executor.execute(() -> completion.complete(closed ? new java.io.IOException("closed") : null));
        }

        void started(CarrierListener l) {
            listener = l;
            setReadEnabled(readEnabled);
        }

        private void receive(byte[] data) {
            if (closed) {
                return;
            }
            if (listener == null || !readEnabled || !held.isEmpty()) {
                held.add(data);
                return;
            }
            listener.onRead(ByteBuffer.wrap(data));
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void setReadEnabled(boolean enabled) {
            readEnabled = enabled;
            if (enabled) {
                executor.execute(() -> {
                    while (readEnabled && listener != null && !closed && !held.isEmpty()) {
                        listener.onRead(ByteBuffer.wrap(held.poll()));
                    }
                });
            }
        }

        @Override
        public void close(boolean flush) {
            shut();
            MemoryCarrier p = peer;
            p.executor.execute(p::shut);
        }

        private void shut() {
            if (!closed) {
                closed = true;
                held.clear();
                listener.onClosed(null);
            }
        }

        @Override
        public SocketAddress localAddress() {
            return new java.net.InetSocketAddress(0);
        }

        @Override
        public SocketAddress remoteAddress() {
            return new java.net.InetSocketAddress(0);
        }
    }
}
