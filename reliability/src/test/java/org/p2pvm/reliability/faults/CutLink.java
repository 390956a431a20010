package org.p2pvm.reliability.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;
import org.p2pvm.engine.SerialExecutor;

/**
 * An in-memory link between two engine ends that is cut after exactly {@code cutAt} bytes (both
 * directions counted together, in delivery order): the receiving end gets the bytes up to the cut,
 * possibly in the middle of a frame, and then both ends see the carrier end, either as a failure
 * (an IOException) or, when {@code cleanEof}, as an orderly close (the way a transport that maps a
 * cut to EOF would report it). Each end runs on its own {@link SerialExecutor} over a shared pool.
 * Payload bytes are copied once per write (this is a test link).
 */
final class CutLink {
    final End dialer;
    final End acceptor;
    private final long cutAt;
    private final boolean cleanEof;
    private long delivered;
    private boolean cut;

    CutLink(Executor pool, long cutAt, boolean cleanEof) {
        this.cutAt = cutAt;
        this.cleanEof = cleanEof;
        dialer = new End(pool, true);
        acceptor = new End(pool, false);
        dialer.peer = acceptor;
        acceptor.peer = dialer;
    }

    synchronized long delivered() {
        return delivered;
    }

    synchronized boolean wasCut() {
        return cut;
    }

    /** How many of {@code n} bytes may still pass; marks the cut when they do not all pass. */
    private synchronized int admit(int n) {
        if (cut) {
            return -1;
        }
        long left = cutAt - delivered;
        if (left >= n) {
            delivered += n;
            return n;
        }
        delivered += Math.max(0, left);
        cut = true;
        return (int) Math.max(0, left);
    }

    private void cutBoth() {
        Throwable cause = cleanEof ? null : new IOException("link cut at byte " + cutAt);
        dialer.closed(cause);
        acceptor.closed(cause);
    }

    /** One end of the link. */
    final class End implements Carrier {
        private final SerialExecutor executor;
        private final boolean isDialer;
        End peer;
        CarrierListener listener;
        private boolean readEnabled = true;
        private boolean closed;
        private final ArrayDeque<ByteBuffer> held = new ArrayDeque<>();

        End(Executor pool, boolean isDialer) {
            this.executor = new SerialExecutor(pool);
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
            if (closed) {
                executor.execute(() -> completion.complete(new IOException("link closed")));
                return;
            }
            int total = 0;
            for (int i = 0; i < count; i++) {
                total += buffers[i].remaining();
            }
            byte[] bytes = new byte[total];
            int at = 0;
            for (int i = 0; i < count; i++) {
                int n = buffers[i].remaining();
                buffers[i].get(bytes, at, n);
                at += n;
            }
            peer.executor.execute(() -> peer.receive(bytes));
            executor.execute(() -> completion.complete(null));
        }

        private void receive(byte[] bytes) {
            if (closed) {
                return;
            }
            int n = admit(bytes.length);
            if (n < 0) {
                return;
            }
            if (n > 0) {
                held.add(ByteBuffer.wrap(bytes, 0, n));
                drain();
            }
            if (n < bytes.length) {
                cutBoth();
            }
        }

        /** Sets the engine's listener (on this end's executor) and delivers what arrived before it. */
        void attach(CarrierListener l) {
            listener = l;
            drain();
        }

        private void drain() {
            while (listener != null && readEnabled && !closed && !held.isEmpty()) {
                listener.onRead(held.poll());
            }
        }

        @Override
        public boolean isWritable() {
            return !closed;
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
            executor.execute(() -> {
                if (!closed) {
                    peer.executor.execute(() -> peer.closed(null));
                    closed(null);
                }
            });
        }

        /** The link ended (on this end's executor, after bytes already queued to it). */
        void closed(Throwable cause) {
            executor.execute(() -> {
                if (closed) {
                    return;
                }
                drain(); // bytes that arrived before the end are still delivered, like TCP
                closed = true;
                held.clear();
                if (listener != null) {
                    listener.onClosed(cause);
                }
            });
        }

        @Override
        public SocketAddress localAddress() {
            return InetSocketAddress.createUnresolved(isDialer ? "cut-dialer" : "cut-acceptor", 1);
        }

        @Override
        public SocketAddress remoteAddress() {
            return InetSocketAddress.createUnresolved(isDialer ? "cut-acceptor" : "cut-dialer", 1);
        }
    }
}
