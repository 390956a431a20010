package org.p2pvm.bench.baseline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.memory.Buffers;
import org.glassfish.grizzly.nio.transport.TCPNIOConnectorHandler;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.threadpool.ThreadPoolConfig;

/**
 * Raw baseline on a bare Grizzly filter chain ({@code TransportFilter} + one counting filter), the
 * library transport-grizzly uses, configured as {@code GrizzlyTransport} configures it: the
 * {@code SameThreadIOStrategy} (events handled on the selector thread, no worker pool; Grizzly's
 * default worker-thread strategy adds a hand-off per read), one selector thread per side. The
 * sender keeps {@value #IN_FLIGHT} wrapped {@value #CHUNK_BYTES} byte direct buffers (the tunnel's
 * default batch, {@code TunnelOptions.maxBatchBytes}) in Grizzly's async write queue, each
 * completion queueing the next, so the queue never runs dry; the sink reads with Grizzly's default
 * read buffer (as the carrier does), counts and disposes.
 */
final class GrizzlyRaw implements RawBaseline {
    /** Bytes per write: the tunnel's default batch. */
    static final int CHUNK_BYTES = 2 * 1024 * 1024;
    /** Writes queued at once. */
    static final int IN_FLIGHT = 2;
    private static final ByteBuffer CHUNK = ByteBuffer.allocateDirect(CHUNK_BYTES);
    private final TCPNIOTransport server;
    private final TCPNIOTransport client;
    private final InetSocketAddress address;

    GrizzlyRaw() throws IOException {
        server = transport("raw-grizzly-sink");
        server.setProcessor(FilterChainBuilder.stateless().add(new TransportFilter()).add(new Sink()).build());
        address = (InetSocketAddress) server.bind("127.0.0.1", 0).getLocalAddress();
        server.start();
        client = transport("raw-grizzly-source");
        client.start();
    }

    /** As {@code GrizzlyTransport} builds its transport, with one selector thread. */
    private static TCPNIOTransport transport(String name) {
        return TCPNIOTransportBuilder.newInstance()
                .setIOStrategy(SameThreadIOStrategy.getInstance())
                .setSelectorRunnersCount(1)
                .setSelectorThreadPoolConfig(ThreadPoolConfig.defaultConfig()
                        .setCorePoolSize(1).setMaxPoolSize(1).setPoolName(name).setDaemon(true))
                .setWorkerThreadPoolConfig(null)
                .setMaxAsyncWriteQueueSizeInBytes(-1)
                .setTcpNoDelay(true)
                .build();
    }

    @Override
    public String library() {
        return "grizzly";
    }

    @Override
    public InetSocketAddress sinkAddress() {
        return address;
    }

    @Override
    public double send(InetSocketAddress target, long bytes) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        FilterChain chain = FilterChainBuilder.stateless().add(new TransportFilter()).add(new BaseFilter() {
            @Override
            public NextAction handleRead(FilterChainContext ctx) {
                ((Buffer) ctx.getMessage()).tryDispose();
                done.complete(null);
                return ctx.getStopAction();
            }

            @Override
            public NextAction handleClose(FilterChainContext ctx) {
                done.completeExceptionally(new IOException("raw grizzly connection closed early"));
                return ctx.getStopAction();
            }
        }).build();
        long t0 = System.nanoTime();
        @SuppressWarnings("rawtypes")
        Connection c = TCPNIOConnectorHandler.builder(client).processor(chain).build().connect(target)
                .get(10, TimeUnit.SECONDS);
        try {
            new Source(c, bytes).start();
            done.get(10, TimeUnit.MINUTES);
        } finally {
            c.closeSilently();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public void close() {
        try {
            client.shutdownNow();
            server.shutdownNow();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** Keeps IN_FLIGHT chunks queued; each completion queues the next. */
    private static final class Source implements CompletionHandler<WriteResult> {
        @SuppressWarnings("rawtypes")
        private final Connection connection;
        private long left;

        @SuppressWarnings("rawtypes")
        Source(Connection connection, long bytes) {
            this.connection = connection;
            this.left = bytes;
        }

        @SuppressWarnings("unchecked")
        void start() {
            Buffer head = Buffers.wrap(connection.getMemoryManager(), ByteBuffer.allocate(8).putLong(left).flip());
            connection.write(head);
            for (int i = 0; i < IN_FLIGHT; i++) {
                next();
            }
        }

        @SuppressWarnings("unchecked")
        private synchronized void next() {
            if (left <= 0) {
                return;
            }
            int n = (int) Math.min(CHUNK.capacity(), left);
            left -= n;
            ByteBuffer view = CHUNK.duplicate().clear().limit(n);
            connection.write(Buffers.wrap(connection.getMemoryManager(), view), this);
        }

        @Override
        public void completed(WriteResult result) {
            next();
        }

        @Override
        public void failed(Throwable t) {
            connection.closeSilently();
        }

        @Override
        public void cancelled() {
        }

        @Override
        public void updated(WriteResult result) {
        }
    }

    /** Counts the length-prefixed payload and answers one byte. */
    private static final class Sink extends BaseFilter {
        private final org.glassfish.grizzly.attributes.Attribute<long[]> left =
                org.glassfish.grizzly.Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createAttribute("raw-sink-left");

        @Override
        public NextAction handleRead(FilterChainContext ctx) {
            Buffer b = ctx.getMessage();
            long[] state = left.get(ctx.getConnection());
            if (state == null) {
                state = new long[] {-1, 0, 0};
                left.set(ctx.getConnection(), state);
            }
            while (state[0] < 0 && b.hasRemaining()) {
                state[1] = (state[1] << 8) | (b.get() & 0xFF);
                if (++state[2] == 8) {
                    state[0] = state[1];
                }
            }
            state[0] -= b.remaining();
            b.tryDispose();
            if (state[0] == 0) {
                state[0] = -2;
                ctx.write(Buffers.wrap(ctx.getMemoryManager(), new byte[] {1}));
            }
            return ctx.getStopAction();
        }
    }
}
