package org.p2pvm.engine.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.p2pvm.VmConnection;

/**
 * The blocking reader of {@link VmConnection#inputStream()}. It is the connection's handler in
 * manual-consume mode: data is copied here on the executor (the carrier's buffer is only lent) and
 * credit goes back to the peer as {@link #read} takes it, so a reader that never reads holds at most
 * one stream window.
 *
 * <p>Lock: {@link #lock} guards the queue and flags; the executor and one reading thread meet there.
 */
final class VmInputStream extends InputStream implements VmConnection.Handler {
    private final StreamImpl stream;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private boolean eof;
    private Throwable failure;
    private boolean closed;

    VmInputStream(StreamImpl stream) {
        this.stream = stream;
    }

    // ---- handler side (executor)

    @Override
    public void onData(VmConnection c, ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining());
        copy.put(data).flip();
        lock.lock();
        try {
            queue.add(copy);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onInputShutdown(VmConnection c) {
        signalEnd(null);
    }

    @Override
    public void onClosed(VmConnection c, Throwable cause) {
        signalEnd(cause);
    }

    private void signalEnd(Throwable cause) {
        lock.lock();
        try {
            eof = true;
            if (cause != null && failure == null) {
                failure = cause;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- reader side

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (stream.tunnel.inExecutor()) {
            throw new IllegalStateException("blocking read on the tunnel's executor would deadlock it; "
                    + "use VmConnection.setHandler there");
        }
        int n = 0;
        lock.lock();
        try {
            while (queue.isEmpty() && !eof && !closed) {
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading " + stream);
                }
            }
            if (closed) {
                throw new IOException("input stream of " + stream + " is closed");
            }
            while (n < len && !queue.isEmpty()) {
                ByteBuffer head = queue.peek();
                int k = Math.min(len - n, head.remaining());
                head.get(b, off + n, k);
                n += k;
                if (!head.hasRemaining()) {
                    queue.poll();
                }
            }
            if (n == 0) {
                if (failure != null) {
                    throw new IOException(failure.getMessage(), failure);
                }
                return -1;
            }
        } finally {
            lock.unlock();
        }
        stream.consume(n);
        return n;
    }

    @Override
    public int available() {
        lock.lock();
        try {
            int n = 0;
            for (ByteBuffer bb : queue) {
                n += bb.remaining();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the whole connection, as closing a socket's input stream does. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        stream.close();
    }
}
