package org.p2pvm.engine.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The blocking writer of {@link org.p2pvm.VmConnection#outputStream()}. Each write copies the
 * caller's bytes (the caller may reuse its array at once) and blocks while more than the high water
 * mark is in flight, so a fast writer cannot queue without bound. {@link #close()} sends FIN.
 *
 * <p>Lock: {@link #lock} guards {@link #inFlight} and {@link #failure}; write completions arrive on
 * the executor.
 */
final class VmOutputStream extends OutputStream {
    private final StreamImpl stream;
    private final long highWater;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition drained = lock.newCondition();
    private long inFlight;
    private Throwable failure;
    private boolean closed;

    VmOutputStream(StreamImpl stream, long highWater) {
        this.stream = stream;
        this.highWater = highWater;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return;
        }
        checkThread();
        ByteBuffer copy = ByteBuffer.allocate(len);
        copy.put(b, off, len).flip();
        lock.lock();
        try {
            checkOpen();
            inFlight += len;
        } finally {
            lock.unlock();
        }
        stream.write(copy, f -> {
            lock.lock();
            try {
                inFlight -= len;
                if (f != null && failure == null) {
                    failure = f;
                }
                drained.signalAll();
            } finally {
                lock.unlock();
            }
        });
        awaitBelow(highWater);
    }

    /** Waits until every byte written so far has been handed to the carrier. */
    @Override
    public void flush() throws IOException {
        checkThread();
        awaitBelow(0);
    }

    /** Flushes, then sends FIN and waits for it to be written. */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        checkThread();
        awaitBelow(0);
        try {
            stream.shutdownOutput().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing " + stream);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private void awaitBelow(long limit) throws IOException {
        lock.lock();
        try {
            while (inFlight > limit && failure == null) {
                try {
                    drained.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while writing " + stream);
                }
            }
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() throws IOException {
        if (failure != null) {
            throw new IOException(failure.getMessage(), failure);
        }
        if (closed) {
            throw new IOException("output stream of " + stream + " is closed");
        }
    }

    private void checkThread() {
        if (stream.tunnel.inExecutor()) {
            throw new IllegalStateException("blocking write on the tunnel's executor would deadlock it; "
                    + "use VmConnection.write there");
        }
    }
}
