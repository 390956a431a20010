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
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2ConnectionPrefaceAndSettingsFrameWrittenEvent;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pvm.bench.link.TunnelWorkloads;

/**
 * The HTTP/2 baseline (issue 9): Netty's {@code Http2FrameCodec} + {@code Http2MultiplexHandler}, one
 * HTTP/2 stream per virtual connection, over one TCP connection on loopback — what a Java user would
 * otherwise pick to multiplex. Windows match the tunnel's defaults (256 KiB per stream, 16 MiB per
 * connection), so both sides have the same credit.
 *
 * <p>The server's streams answer by path: {@code /sink} swallows and answers one byte at END_STREAM,
 * {@code /echo} echoes every DATA frame and mirrors END_STREAM. Everything runs on one Netty event
 * loop per side; the scenario thread only starts streams and reads counters. {@link #close()} ends
 * both sides.
 */
public final class H2Baseline implements AutoCloseable {
    private static final int STREAM_WINDOW = 256 * 1024;
    private static final int CONNECTION_WINDOW = 16 * 1024 * 1024;
    private static final ByteBuf CHUNK = Unpooled.unreleasableBuffer(Unpooled.directBuffer(64 * 1024)
            .writeZero(64 * 1024));
    private static final ByteBuf MSG = Unpooled.unreleasableBuffer(Unpooled.directBuffer(64).writeZero(64));

    private final EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel serverChannel;
    private final Channel parent;

    /** Starts the server and connects the client; blocks up to 10 s. */
    public H2Baseline() throws Exception {
        Http2Settings settings = Http2Settings.defaultSettings().initialWindowSize(STREAM_WINDOW)
                .maxConcurrentStreams(1L << 20); // like the tunnel's maxStreams: 1,000 streams must fit
        serverChannel = new ServerBootstrap().group(serverGroup).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().initialSettings(settings).build(),
                                new ConnectionWindow(),
                                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                                    @Override
                                    protected void initChannel(Http2StreamChannel s) {
                                        s.pipeline().addLast(new ServerStream());
                                    }
                                }), new QuietClose());
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        parent = new Bootstrap().group(clientGroup).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings).build(),
                                new ConnectionWindow(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new QuietClose());
                    }
                }).connect(serverChannel.localAddress()).sync().channel();
    }

    /** Bulk: {@code streams} streams of {@code bytesPerStream} each to /sink; seconds until all answered. */
    public double bulk(int streams, long bytesPerStream) throws Exception {
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            all.add(done);
            open(new BulkStream(bytesPerStream, done));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Request/response 64 B on {@code streams} streams to /echo; messages/s. */
    public double requestResponse(int streams, Duration warmup, Duration measure) throws Exception {
        AtomicLong count = new AtomicLong();
        List<Http2StreamChannel> chans = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            chans.add(open(new PingPongStream(count)));
        }
        double rate = TunnelWorkloads.measureRate(count, warmup, measure);
        for (Http2StreamChannel c : chans) {
            c.close();
        }
        return rate;
    }

    /** Open + first byte + close with {@code concurrency} streams in flight; streams/s. */
    public double openClose(int concurrency, Duration warmup, Duration measure) throws Exception {
        AtomicLong count = new AtomicLong();
        OpenCloseLoop loop = new OpenCloseLoop(count);
        for (int i = 0; i < concurrency; i++) {
            loop.next();
        }
        double rate = TunnelWorkloads.measureRate(count, warmup, measure);
        loop.stop = true;
        return rate;
    }

    private Http2StreamChannel open(io.netty.channel.ChannelHandler handler) throws Exception {
        return new Http2StreamChannelBootstrap(parent).handler(handler).open().get(10, TimeUnit.SECONDS);
    }

    private static DefaultHttp2HeadersFrame request(String path) {
        return new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("POST").path(path).scheme("http")
                .authority("bench"), false);
    }

    @Override
    public void close() {
        parent.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Raises the connection window to the tunnel's 16 MiB once the preface is out. */
    private static final class ConnectionWindow extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof Http2ConnectionPrefaceAndSettingsFrameWrittenEvent) {
                ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65_535));
            }
            super.userEventTriggered(ctx, evt);
        }
    }

    /** A peer resetting the connection at the end of a run is expected: close without a warning. */
    private static final class QuietClose extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Server side of one stream. */
    private static final class ServerStream extends ChannelInboundHandlerAdapter {
        private boolean echo;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    echo = "/echo".contentEquals(h.headers().path());
                    ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200"), false));
                    if (h.isEndStream()) {
                        ctx.write(new DefaultHttp2DataFrame(true));
                    }
                } else if (msg instanceof Http2DataFrame d) {
                    if (echo) {
                        if (d.content().isReadable() || d.isEndStream()) {
                            ctx.write(new DefaultHttp2DataFrame(d.content().retain(), d.isEndStream()));
                        }
                    } else if (d.isEndStream()) {
                        ctx.write(new DefaultHttp2DataFrame(MSG.retainedSlice(0, 1), true));
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** Client side of one bulk stream: writes while writable, then END_STREAM; done on the answer. */
    private static final class BulkStream extends ChannelInboundHandlerAdapter {
        private long remaining;
        private boolean finSent;
        private final CompletableFuture<Void> done;

        BulkStream(long total, CompletableFuture<Void> done) {
            this.remaining = total;
            this.done = done;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.write(request("/sink"));
            fill(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            fill(ctx);
        }

        private void fill(ChannelHandlerContext ctx) {
            while (remaining > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(CHUNK.capacity(), remaining);
                remaining -= n;
                ctx.write(new DefaultHttp2DataFrame(CHUNK.retainedSlice(0, n), remaining == 0));
            }
            if (remaining == 0) {
                finSent = true;
            }
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2DataFrame d && (d.content().isReadable() || d.isEndStream()) && finSent) {
                done.complete(null);
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("h2 stream closed early"));
        }
    }

    /** Client side of one request/response stream. */
    private static final class PingPongStream extends ChannelInboundHandlerAdapter {
        private final AtomicLong count;
        private int got;

        PingPongStream(AtomicLong count) {
            this.count = count;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.write(request("/echo"));
            ctx.writeAndFlush(new DefaultHttp2DataFrame(MSG.retainedSlice(), false));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2DataFrame d) {
                got += d.content().readableBytes();
                while (got >= 64) {
                    got -= 64;
                    count.incrementAndGet();
                    ctx.write(new DefaultHttp2DataFrame(MSG.retainedSlice(), false));
                }
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** Keeps streams cycling: HEADERS + 1 byte + END_STREAM, wait for the echo's END_STREAM. */
    private final class OpenCloseLoop {
        private final AtomicLong count;
        volatile boolean stop;

        OpenCloseLoop(AtomicLong count) {
            this.count = count;
        }

        void next() {
            if (stop || !parent.isActive()) {
                return;
            }
            new Http2StreamChannelBootstrap(parent).handler(new ChannelInboundHandlerAdapter() {
                private boolean finished;

                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    ctx.write(request("/echo"));
                    ctx.writeAndFlush(new DefaultHttp2DataFrame(MSG.retainedSlice(0, 1), true));
                }

                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    boolean end = msg instanceof Http2DataFrame d && d.isEndStream()
                            || msg instanceof Http2HeadersFrame h && h.isEndStream();
                    ReferenceCountUtil.release(msg);
                    if (end && !finished) {
                        finished = true;
                        count.incrementAndGet();
                        ctx.close();
                        next();
                    }
                }
            }).open();
        }
    }
}
