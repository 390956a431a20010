package org.p2pvm.bench.baseline;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.p2pvm.transport.netty.internal.IoFlavor;

/**
 * Raw baseline on a bare Netty pipeline, one inbound handler each side, on the same IO flavour the
 * netty transport picks ({@link IoFlavor#choose}: native epoll where available, else NIO) with two
 * event loops. The sender writes retained slices of one unreleasable {@value #CHUNK_BYTES} byte
 * direct buffer (the tunnel's default batch, {@code TunnelOptions.maxBatchBytes}) and keeps
 * {@value #IN_FLIGHT} of them queued (the write buffer water marks are set for that), so the channel
 * never waits for the next write and Netty never copies (direct buffers are written as they are);
 * the sink reads with Netty's default allocator (as the carrier does), counts and releases.
 */
final class NettyRaw implements RawBaseline {
    /** Bytes per write: the tunnel's default batch. */
    static final int CHUNK_BYTES = 2 * 1024 * 1024;
    /** Writes queued on the channel at once. */
    static final int IN_FLIGHT = 2;
    private static final ByteBuf CHUNK = Unpooled.unreleasableBuffer(Unpooled.directBuffer(CHUNK_BYTES)
            .writeZero(CHUNK_BYTES));
    private static final IoFlavor FLAVOR = IoFlavor.choose(true);
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, FLAVOR.ioHandlerFactory());
    private final Channel server;

    NettyRaw() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(FLAVOR.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Sink());
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    @Override
    public String library() {
        return "netty " + FLAVOR.name();
    }

    @Override
    public InetSocketAddress sinkAddress() {
        return (InetSocketAddress) server.localAddress();
    }

    @Override
    public double send(InetSocketAddress target, long bytes) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        long t0 = System.nanoTime();
        Channel c = new Bootstrap().group(group).channel(FLAVOR.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                // unwritable only once IN_FLIGHT chunks are queued; writable again below
                // IN_FLIGHT - 1 chunks
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                        Math.max(1, (IN_FLIGHT - 1) * CHUNK_BYTES), (IN_FLIGHT - 1) * CHUNK_BYTES + 1))
                .handler(new Source(bytes, done)).connect(target).sync().channel();
        try {
            done.get(10, TimeUnit.MINUTES);
        } finally {
            c.close();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    @Override
    public void close() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static final class Sink extends ChannelInboundHandlerAdapter {
        private final ByteBuf head = Unpooled.buffer(8);
        private long left = -1;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            try {
                if (left < 0) {
                    b.readBytes(head, Math.min(head.writableBytes(), b.readableBytes()));
                    if (head.isWritable()) {
                        return;
                    }
                    left = head.readLong();
                }
                left -= b.readableBytes();
                if (left == 0) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}));
                }
            } finally {
                b.release();
            }
        }
    }

    private static final class Source extends ChannelInboundHandlerAdapter {
        private long left;
        private final CompletableFuture<Void> done;

        Source(long bytes, CompletableFuture<Void> done) {
            this.left = bytes;
            this.done = done;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.write(Unpooled.buffer(8).writeLong(left));
            fill(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            fill(ctx);
        }

        private void fill(ChannelHandlerContext ctx) {
            while (left > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(CHUNK.capacity(), left);
                left -= n;
                ctx.write(CHUNK.retainedSlice(0, n));
            }
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            done.complete(null);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("raw netty connection closed early"));
        }
    }
}
