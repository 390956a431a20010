package org.p2pvm.bench.baseline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Raw baseline on plain {@code java.nio} {@link SocketChannel}s in blocking mode: one thread per
 * sink connection reading into one 256 KiB direct buffer, the sender writing one 64 KiB direct
 * buffer again and again (no copies in Java; the kernel's are the physical limit).
 */
final class NioRaw implements RawBaseline {
    private final ServerSocketChannel server;

    NioRaw() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        Thread t = new Thread(this::acceptLoop, "raw-nio-accept");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public String library() {
        return "nio";
    }

    @Override
    public InetSocketAddress sinkAddress() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void acceptLoop() {
        try {
            while (true) {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> sink(c), "raw-nio-sink");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException e) {
            // closed
        }
    }

    private static void sink(SocketChannel c) {
        try (c) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer head = ByteBuffer.allocate(8);
            while (head.hasRemaining()) {
                if (c.read(head) < 0) {
                    return;
                }
            }
            long left = head.flip().getLong();
            ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
            while (left > 0) {
                buf.clear();
                if (buf.remaining() > left) {
                    buf.limit((int) left);
                }
                int n = c.read(buf);
                if (n < 0) {
                    return;
                }
                left -= n;
            }
            c.write(ByteBuffer.wrap(new byte[] {1}));
            c.shutdownOutput();
            c.read(ByteBuffer.allocate(1));
        } catch (IOException e) {
            // the sender went away; the sender reports it
        }
    }

    @Override
    public double send(InetSocketAddress target, long bytes) throws IOException {
        long t0 = System.nanoTime();
        try (SocketChannel c = SocketChannel.open(target)) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ByteBuffer head = ByteBuffer.allocate(8).putLong(bytes).flip();
            while (head.hasRemaining()) {
                c.write(head);
            }
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            long left = bytes;
            while (left > 0) {
                chunk.clear();
                if (chunk.remaining() > left) {
                    chunk.limit((int) left);
                }
                left -= c.write(chunk);
            }
            if (c.read(ByteBuffer.allocate(1)) != 1) {
                throw new IOException("raw sink closed before acknowledging");
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
