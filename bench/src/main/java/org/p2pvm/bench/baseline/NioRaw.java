package org.p2pvm.bench.baseline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Raw baseline on plain {@code java.nio} {@link SocketChannel}s in blocking mode — the fastest way
 * the JDK offers to move bytes over one TCP connection: one thread per sink connection reading into
 * one {@value #READ} byte direct buffer, the sender writing one {@value #CHUNK_BYTES} byte direct
 * buffer (the size of the tunnel's default batch, {@code TunnelOptions.maxBatchBytes}) again and
 * again. No copy in Java and no selector or thread hand-off: the kernel's copies are the physical
 * limit. (The tunnel's nio carrier is selector-based with the same 64 KiB reads; blocking IO is at
 * least as fast on loopback, so the ratio is not flattered.) The buffers are allocated per call and
 * belong to the thread using them.
 */
final class NioRaw implements RawBaseline {
    /** Bytes per write: the tunnel's default batch. */
    static final int CHUNK_BYTES = 2 * 1024 * 1024;
    /**
     * Bytes per read on the sink: 64 KiB, as the nio carrier reads. Measured on this machine, 64 KiB
     * reads move 1.3 – 1.7 × as many bytes per second as 256 KiB or 1 MiB reads (the buffer stays in
     * the L2 cache), so a larger read would make the baseline slower, not faster.
     */
    static final int READ = 64 * 1024;
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
            ByteBuffer buf = ByteBuffer.allocateDirect(READ);
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
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK_BYTES);
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
