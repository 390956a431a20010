package org.p2pvm.examples.testing;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
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
 * Two engine tunnels joined by an in-process pipe, without any transport: lets the echo classes be
 * tested against the real engine independently of the transports. Each end has its own serial
 * executor; bytes cross as copies; each direction holds at most {@link #PIPE_BYTES} unread bytes
 * (the writer turns unwritable beyond), and a reader that disabled reading keeps them queued.
 */
public final class PipeTunnels implements AutoCloseable {
    /** Bytes one direction buffers before its writer turns unwritable. */
    public static final int PIPE_BYTES = 1 << 20;

    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pipe-tunnel");
        t.setDaemon(true);
        return t;
    });
    private final End dialerEnd = new End(true);
    private final End acceptorEnd = new End(false);
    /** The dialing end's tunnel, complete after the handshake. */
    public final CompletableFuture<Tunnel> dialer;
    /** The accepting end's tunnel. */
    public final CompletableFuture<Tunnel> acceptor;

    public PipeTunnels(TunnelOptions dialerOptions, TunnelOptions acceptorOptions, Consumer<? super Tunnel> onAcceptorOpen) {
        dialerEnd.peer = acceptorEnd;
        acceptorEnd.peer = dialerEnd;
        acceptor = acceptorEnd.open(acceptorOptions, onAcceptorOpen);
        dialer = dialerEnd.open(dialerOptions, null);
    }

    /** Drops the pipe: both ends see the carrier close without GOAWAY. */
    public void cut() {
        dialerEnd.executor.execute(() -> dialerEnd.close(false));
    }

    /** Cuts the pipe; the pool's idle daemon threads end by themselves. */
    @Override
    public void close() {
        cut();
    }

    private final class End implements Carrier {
        final boolean isDialer;
        final SerialExecutor executor = new SerialExecutor(pool);
        End peer;
        CarrierListener listener;
        final ArrayDeque<ByteBuffer> inbound = new ArrayDeque<>();
        boolean readEnabled = true;
        boolean closed;
        long unread; // bytes written to the peer and not yet read by it (touched on this executor)

        End(boolean isDialer) {
            this.isDialer = isDialer;
        }

        CompletableFuture<Tunnel> open(TunnelOptions options, Consumer<? super Tunnel> onOpen) {
            CompletableFuture<Tunnel> f = new CompletableFuture<>();
            executor.execute(() -> {
                TunnelEngine.TunnelSession s = TunnelEngine.open(this, options, onOpen);
                listener = s;
                s.handshake().whenComplete((t, e) -> {
                    if (e != null) {
                        f.completeExceptionally(e);
                    } else {
                        f.complete(t);
                    }
                });
                drain();
            });
            return f;
        }

        @Override
        public java.util.concurrent.Executor executor() {
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
            if (closed) {
                completion.complete(new java.io.IOException("pipe closed"));
                return;
            }
            int n = 0;
            for (int i = 0; i < count; i++) {
                n += buffers[i].remaining();
            }
            ByteBuffer copy = ByteBuffer.allocate(n);
            for (int i = 0; i < count; i++) {
                copy.put(buffers[i]);
            }
            copy.flip();
            unread += n;
            End p = peer;
            p.executor.execute(() -> p.receive(copy));
            completion.complete(null);
        }

        void receive(ByteBuffer data) {
            if (closed) {
                return;
            }
            inbound.add(data);
            drain();
        }

        void drain() {
            while (listener != null && readEnabled && !closed && !inbound.isEmpty()) {
                ByteBuffer b = inbound.poll();
                int n = b.remaining();
                listener.onRead(b);
                End p = peer;
                p.executor.execute(() -> p.consumed(n));
            }
        }

        void consumed(int n) {
            boolean was = isWritable();
            unread -= n;
            if (!was && isWritable() && !closed && listener != null) {
                listener.onWritable();
            }
        }

        @Override
        public boolean isWritable() {
            return unread < PIPE_BYTES;
        }

        @Override
        public void setReadEnabled(boolean enabled) {
            readEnabled = enabled;
            if (enabled) {
                executor.execute(this::drain);
            }
        }

        @Override
        public void close(boolean flush) {
            if (closed) {
                return;
            }
            closed = true;
            if (listener != null) {
                listener.onClosed(null);
            }
            End p = peer;
            p.executor.execute(() -> {
                // flush: bytes already sent are queued before this task, so the peer has them
                p.drain();
                p.close(false);
            });
        }

        @Override
        public SocketAddress localAddress() {
            return InetSocketAddress.createUnresolved(isDialer ? "dialer" : "acceptor", 1);
        }

        @Override
        public SocketAddress remoteAddress() {
            return InetSocketAddress.createUnresolved(isDialer ? "acceptor" : "dialer", 1);
        }
    }
}
