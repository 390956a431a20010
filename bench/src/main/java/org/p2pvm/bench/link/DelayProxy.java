package org.p2pvm.bench.link;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A latency-injecting loopback TCP proxy (issue 11): every byte is held back for a configured
 * one-way delay in each direction, while bytes pass at full speed, so raw TCP and the tunnel see
 * the same long link. It models a link whose capacity is {@code bufferLimit} bytes in flight per
 * direction (the reader blocks beyond it), the user-space stand-in for netem.
 *
 * <p>Two threads per direction per connection (a reader that time-stamps chunks and a writer that
 * releases them when due) and one acceptor thread. Chunks are heap copies owned by the proxy.
 * {@link #close()} stops everything.
 */
public final class DelayProxy implements AutoCloseable {
    private final ServerSocketChannel server;
    private final InetSocketAddress target;
    private final long delayNanos;
    private final int bufferLimit;
    private final List<SocketChannel> sockets = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param target where to forward each accepted connection
     * @param oneWayDelayMillis delay added in each direction (RTT = twice this)
     * @param bufferLimit bytes in flight per direction before the reader blocks
     */
    public DelayProxy(InetSocketAddress target, long oneWayDelayMillis, int bufferLimit) throws IOException {
        this.target = target;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(oneWayDelayMillis);
        this.bufferLimit = bufferLimit;
        this.server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        Thread t = new Thread(this::acceptLoop, "delay-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    /** The proxy's listening address: dial this instead of the target. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void acceptLoop() {
        try {
            while (!closed) {
                SocketChannel in = server.accept();
                SocketChannel out = SocketChannel.open(target);
                for (SocketChannel s : List.of(in, out)) {
                    s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                }
                synchronized (sockets) {
                    sockets.add(in);
                    sockets.add(out);
                }
                new Direction(in, out, "up").start();
                new Direction(out, in, "down").start();
            }
        } catch (IOException e) {
            // closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing to do
        }
        synchronized (sockets) {
            for (SocketChannel s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    /** One direction: a reader thread queues time-stamped chunks, a writer thread releases them when due. */
    private final class Direction {
        private final SocketChannel from;
        private final SocketChannel to;
        private final String name;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
        private long queued;
        private boolean eof;

        Direction(SocketChannel from, SocketChannel to, String name) {
            this.from = from;
            this.to = to;
            this.name = name;
        }

        void start() {
            Thread r = new Thread(this::readLoop, "delay-proxy-" + name + "-read");
            Thread w = new Thread(this::writeLoop, "delay-proxy-" + name + "-write");
            r.setDaemon(true);
            w.setDaemon(true);
            r.start();
            w.start();
        }

        private void readLoop() {
            ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
            try {
                while (true) {
                    buf.clear();
                    int n = from.read(buf);
                    long due = System.nanoTime() + delayNanos;
                    lock.lock();
                    try {
                        if (n < 0) {
                            eof = true;
                            changed.signalAll();
                            return;
                        }
                        while (queued >= bufferLimit && !closed) {
                            changed.await(10, TimeUnit.MILLISECONDS);
                        }
                        byte[] copy = new byte[n];
                        buf.flip().get(copy);
                        queue.add(new Chunk(due, copy));
                        queued += n;
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException | InterruptedException e) {
                lock.lock();
                try {
                    eof = true;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }

        private void writeLoop() {
            try {
                while (true) {
                    Chunk c;
                    lock.lock();
                    try {
                        while (queue.isEmpty() && !eof) {
                            changed.await();
                        }
                        if (queue.isEmpty()) {
                            to.shutdownOutput();
                            return;
                        }
                        c = queue.peek();
                    } finally {
                        lock.unlock();
                    }
                    long wait = c.due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    ByteBuffer b = ByteBuffer.wrap(c.bytes);
                    while (b.hasRemaining()) {
                        to.write(b);
                    }
                    lock.lock();
                    try {
                        queue.poll();
                        queued -= c.bytes.length;
                        changed.signalAll();
                    } finally {
                        lock.unlock();
                    }
                }
            } catch (IOException | InterruptedException e) {
                try {
                    from.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    private record Chunk(long due, byte[] bytes) {
    }
}
