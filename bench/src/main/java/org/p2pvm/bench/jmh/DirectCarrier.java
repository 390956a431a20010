package org.p2pvm.bench.jmh;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmServer;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;
import org.p2pvm.engine.SerialExecutor;
import org.p2pvm.engine.TunnelEngine;

/**
 * A minimal in-JVM carrier for the per-frame benchmarks: each end has one thread (wrapped in a
 * {@link SerialExecutor}); a gathering write hands the very same buffers to the peer's
 * {@link CarrierListener#onRead} on the peer's thread and completes back on the writer's thread. No
 * byte is copied, so what the allocation profiler sees is the engine's own per-frame cost. The
 * buffers stay owned by the writing engine; the peer only reads them before the completion runs.
 */
final class DirectCarrier implements Carrier {
    private final ExecutorService thread;
    private final SerialExecutor executor;
    private final boolean dialer;
    private DirectCarrier peer;
    private volatile CarrierListener listener;

    private DirectCarrier(boolean dialer) {
        this.dialer = dialer;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "direct-carrier-" + (dialer ? "dialer" : "acceptor"));
            t.setDaemon(true);
            return t;
        });
        this.executor = new SerialExecutor(thread);
    }

    /**
     * Two connected engines with a sink on {@code sink} at the acceptor (it drops what it reads) that
     * the dialer already knows of; returns {dialer tunnel, acceptor tunnel}.
     */
    static Tunnel[] sinkPair(TunnelOptions options, VmAddress sink) throws Exception {
        Tunnel[] t = pair(options);
        t[1].install(VmServer.listen(sink, c -> c.setHandler((cc, data) -> data.position(data.limit()))))
                .get(10, TimeUnit.SECONDS);
        t[0].awaitRemoteListen(sink).get(10, TimeUnit.SECONDS);
        return t;
    }

    /** Two connected engines; returns {dialer tunnel, acceptor tunnel} once both handshakes are done. */
    static Tunnel[] pair(TunnelOptions options) throws Exception {
        DirectCarrier a = new DirectCarrier(true);
        DirectCarrier b = new DirectCarrier(false);
        a.peer = b;
        b.peer = a;
        CountDownLatch gate = new CountDownLatch(1);
        for (DirectCarrier c : new DirectCarrier[] {a, b}) {
            c.executor.execute(() -> {
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        CompletableFuture<Tunnel> ta = new CompletableFuture<>();
        CompletableFuture<Tunnel> tb = new CompletableFuture<>();
        a.executor.execute(() -> a.listener = TunnelEngine.open(a, options, ta::complete));
        b.executor.execute(() -> b.listener = TunnelEngine.open(b, options, tb::complete));
        gate.countDown();
        return new Tunnel[] {ta.get(10, TimeUnit.SECONDS), tb.get(10, TimeUnit.SECONDS)};
    }

    @Override
    public SerialExecutor executor() {
        return executor;
    }

    @Override
    public boolean inExecutor() {
        return executor.inExecutor();
    }

    @Override
    public boolean isDialer() {
        return dialer;
    }

    @Override
    public void write(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        peer.executor.execute(() -> {
            CarrierListener l = peer.listener;
            for (int i = 0; i < count; i++) {
                l.onRead(buffers[i]);
            }
            executor.execute(() -> completion.complete(null));
        });
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        // the peer's windows bound what it sends; nothing to pause here
    }

    @Override
    public void close(boolean flush) {
        executor.execute(() -> listener.onClosed(null));
        peer.executor.execute(() -> peer.listener.onClosed(null));
        thread.shutdown();
        peer.thread.shutdown();
    }

    @Override
    public SocketAddress localAddress() {
        return InetSocketAddress.createUnresolved("direct", dialer ? 1 : 2);
    }

    @Override
    public SocketAddress remoteAddress() {
        return InetSocketAddress.createUnresolved("direct", dialer ? 2 : 1);
    }
}
