package org.p2pvm.engine.contract;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;
import org.p2pvm.engine.SerialExecutor;

/**
 * A deliberately plain TCP {@link Carrier} for the kit's self-test ({@link BlockingSocketTransport}):
 * a blocking {@link SocketChannel} with one reader thread and one writer thread (daemon, named
 * {@code kit-socket-*}), and a {@link SerialExecutor} as the tunnel's executor. Not for production:
 * two threads per link.
 *
 * <p>Buffers: written buffers go to the channel as they are (gathering write, no copy) and return to
 * the engine with the completion. Each read is copied into a fresh buffer before it is handed to
 * the executor, because the reader thread goes on reading meanwhile.
 *
 * <p>Reading off: the reader thread stops before its next read, and chunks already read wait on the
 * executor ({@link #pending}) until reading is on again, so no {@code onRead} happens while off.
 *
 * <p>Close: {@code close(true)} writes what is queued, sends FIN and reads (dropping the bytes) until
 * the peer's EOF, within {@link #LINGER_MILLIS}, before it closes the socket: closing a socket that
 * still receives makes the kernel answer with RST, and an RST may destroy the bytes just written
 * before the peer has read them. The peer's EOF reaches the engine after every chunk read before
 * it, and the socket stays writable until then (the peer may still be reading).
 */
final class BlockingSocketCarrier implements Carrier {
    /** Bytes queued for the writer thread above which the carrier reports itself not writable. */
    private static final long WRITE_LIMIT = 1 << 20;
    /** Longest a flushing close waits for the peer's EOF after its FIN. */
    static final long LINGER_MILLIS = 10_000;

    private final SocketChannel channel;
    private final boolean dialer;
    private final SerialExecutor executor;
    private final Object lock = new Object();
    private final ArrayDeque<Object> writes = new ArrayDeque<>(); // Write, or CLOSE
    private long queuedBytes; // guarded by lock
    private boolean writerWaiting; // guarded by lock
    private boolean readerMayRead = true; // guarded by lock
    private volatile boolean closing;
    private boolean inputEnded; // guarded by lock: the peer's EOF was read
    private final AtomicBoolean closeNotified = new AtomicBoolean();
    private CarrierListener listener;
    /** Executor-confined: reading state, chunks held while off, and the close once it was delivered. */
    private boolean readEnabled = true;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private boolean closeDelivered;
    private boolean eofAfterPending;
    private final SocketAddress local;
    private final SocketAddress remote;
    private static final Object CLOSE = new Object();

    BlockingSocketCarrier(SocketChannel channel, boolean dialer, Executor pool) throws IOException {
        this.channel = channel;
        this.dialer = dialer;
        this.executor = new SerialExecutor(pool);
        this.local = channel.getLocalAddress();
        this.remote = channel.getRemoteAddress();
        channel.socket().setTcpNoDelay(true);
    }

    /** Wires the engine and starts the threads; call on the executor after {@code TunnelEngine.open}. */
    void start(CarrierListener l, String name) {
        this.listener = l;
        Thread reader = new Thread(this::readLoop, "kit-socket-" + name + "-read");
        Thread writer = new Thread(this::writeLoop, "kit-socket-" + name + "-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
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
        return dialer;
    }

    @Override
    public void write(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        long n = 0;
        for (int i = 0; i < count; i++) {
            n += buffers[i].remaining();
        }
        synchronized (lock) {
            if (!closing) {
                ByteBuffer[] copy = java.util.Arrays.copyOf(buffers, count);
                writes.add(new Write(copy, n, completion));
                queuedBytes += n;
                lock.notifyAll();
                return;
            }
        }
        executor.execute(() -> completion.complete(new IOException("carrier closed")));
    }

    @Override
    public boolean isWritable() {
        synchronized (lock) {
            if (queuedBytes > WRITE_LIMIT) {
                writerWaiting = true;
                return false;
            }
            return true;
        }
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        readEnabled = enabled;
        synchronized (lock) {
            readerMayRead = enabled;
            lock.notifyAll();
        }
        while (readEnabled && !pending.isEmpty() && !closeDelivered) {
            listener.onRead(pending.poll());
        }
        if (readEnabled && pending.isEmpty() && eofAfterPending) {
            eofAfterPending = false;
            closed(null);
        }
    }

    @Override
    public void close(boolean flush) {
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
            if (flush) {
                writes.add(CLOSE);
                lock.notifyAll();
                return;
            }
        }
        closed(null);
        failQueued();
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (true) {
                synchronized (lock) {
                    while (!readerMayRead && !closing) {
                        lock.wait();
                    }
                }
                if (channel.read(buf) < 0) {
                    peerEof();
                    return;
                }
                if (closing) {
                    buf.clear(); // closing: drop what the peer still sends, until its EOF
                    continue;
                }
                buf.flip();
                ByteBuffer chunk = ByteBuffer.allocate(buf.remaining()).put(buf).flip();
                buf.clear();
                executor.execute(() -> deliver(chunk));
            }
        } catch (IOException e) {
            closed(closing ? null : e);
        } catch (InterruptedException e) {
            closed(e);
        }
    }

    private void deliver(ByteBuffer chunk) {
        if (closeDelivered) {
            return;
        }
        if (!readEnabled || !pending.isEmpty()) {
            pending.add(chunk);
            return;
        }
        listener.onRead(chunk);
    }

    private void writeLoop() {
        Write current = null;
        try {
            while (true) {
                Object next;
                synchronized (lock) {
                    while (writes.isEmpty()) {
                        lock.wait();
                    }
                    next = writes.poll();
                }
                if (next == CLOSE) {
                    lingerThenClose();
                    return;
                }
                Write w = (Write) next;
                current = w;
                long left = w.bytes;
                while (left > 0) {
                    left -= channel.write(w.buffers);
                }
                boolean wake;
                synchronized (lock) {
                    queuedBytes -= w.bytes;
                    wake = writerWaiting && queuedBytes <= WRITE_LIMIT;
                    if (wake) {
                        writerWaiting = false;
                    }
                }
                current = null;
                executor.execute(() -> w.completion.complete(null));
                if (wake) {
                    executor.execute(() -> {
                        if (!closeDelivered) {
                            listener.onWritable();
                        }
                    });
                }
            }
        } catch (IOException | InterruptedException e) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            closed(e);
            if (current != null) {
                Write w = current;
                executor.execute(() -> w.completion.complete(new IOException("carrier closed", e)));
            }
            failQueued();
        }
    }

    /** Everything queued is written: FIN, then wait for the peer's EOF (the reader drops its bytes). */
    private void lingerThenClose() throws InterruptedException {
        try {
            channel.shutdownOutput();
            long deadline = System.nanoTime() + LINGER_MILLIS * 1_000_000;
            synchronized (lock) {
                long left;
                while (!inputEnded && !closeNotified.get() && (left = deadline - System.nanoTime()) > 0) {
                    lock.wait(Math.max(1, left / 1_000_000));
                }
            }
        } catch (IOException e) {
            // the peer is gone already: everything was handed to the socket
        }
        closed(null);
        failQueued();
    }

    /** The peer's EOF: after the chunks read before it; a closing carrier's writer is told instead. */
    private void peerEof() {
        boolean wasClosing;
        synchronized (lock) {
            inputEnded = true;
            wasClosing = closing;
            lock.notifyAll();
        }
        if (wasClosing) {
            return; // the writer finishes its queue, sees the EOF and closes (or close(false) did)
        }
        executor.execute(() -> {
            if (!pending.isEmpty()) {
                eofAfterPending = true; // EOF after the chunks held while reading is off
            } else {
                closed(null);
            }
        });
    }

    private void failQueued() {
        synchronized (lock) {
            closing = true;
            lock.notifyAll();
            for (Object o : writes) {
                if (o instanceof Write w) {
                    executor.execute(() -> w.completion.complete(new IOException("carrier closed")));
                }
            }
            writes.clear();
        }
    }

    private void closed(Throwable cause) {
        if (closeNotified.compareAndSet(false, true)) {
            synchronized (lock) {
                closing = true;
                lock.notifyAll();
            }
            // before the socket closes: the writes it fails must reach the engine after the close
            executor.execute(() -> deliverClose(cause));
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    private void deliverClose(Throwable cause) {
        if (!closeDelivered) {
            closeDelivered = true;
            pending.clear();
            listener.onClosed(cause);
        }
    }

    private record Write(ByteBuffer[] buffers, long bytes, WriteCompletion completion) {
    }
}
