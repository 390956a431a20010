package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.ErrorCode;
import org.p2pvm.StreamResetException;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.TunnelOptions;

/**
 * How Netty's channel semantics map onto a virtual connection: flow control, half close, reset,
 * errors. Runs on a netty tunnel (channels on the tunnel's loop, {@link VmChannelOnNettyTunnelTest})
 * and on a tunnel whose executor is not a Netty loop (events handed over,
 * {@link VmChannelOnOtherExecutorTest}).
 */
@Timeout(30)
abstract class VmChannelSemantics {
    private static final VmSocketAddress ADDR = VmSocketAddress.parse("[fd00::5]:5");

    private EventLoopGroup group;
    private VmServerChannel server;
    private Tunnels fx;
    private final CompletableFuture<Channel> accepted = new CompletableFuture<>();

    /** A client tunnel and the means to close it; the accepting end runs {@code onAccepted}. */
    interface Tunnels extends AutoCloseable {
        org.p2pvm.Tunnel client();
    }

    abstract Tunnels openTunnels(java.util.function.Consumer<org.p2pvm.Tunnel> onAccepted) throws Exception;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close().sync();
        }
        if (fx != null) {
            fx.close();
        }
        group.shutdownGracefully(0, 1, SECONDS).sync();
    }

    private void serve(Supplier<ChannelHandler> childHandler, ChannelOption<Boolean> option, boolean value)
            throws Exception {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(VmServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(childHandler.get());
                        accepted.complete(ch);
                    }
                });
        if (option != null) {
            b.childOption(option, value);
        }
        server = (VmServerChannel) b.bind(ADDR).sync().channel();
        fx = openTunnels(server::installOn);
        fx.client().awaitRemoteListen(ADDR.vmAddress()).get(10, SECONDS);
    }

    private Channel dial(ChannelHandler handler) throws Exception {
        return new Bootstrap().group(group).channelFactory(VmChannel.factory(fx.client())).handler(handler)
                .connect(ADDR).sync().channel();
    }

    /** Counts received bytes; with autoRead off, reads one more message each time the test asks. */
    static final class Counting extends ChannelInboundHandlerAdapter {
        final AtomicLong bytes = new AtomicLong();
        volatile boolean keepReading;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            bytes.addAndGet(((ByteBuf) msg).readableBytes());
            ((ByteBuf) msg).release();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (keepReading) {
                ctx.read();
            }
        }
    }

    @Test
    void autoReadOffStallsThePeerAtTheWindowAndReadReleasesIt() throws Exception {
        Counting counting = new Counting();
        serve(() -> counting, ChannelOption.AUTO_READ, false);
        CompletableFuture<Void> becameUnwritable = new CompletableFuture<>();
        Channel client = dial(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                if (!ctx.channel().isWritable()) {
                    becameUnwritable.complete(null);
                }
            }
        });
        int chunk = 16 * 1024;
        int total = 2 * 1024 * 1024; // far above window (256 KiB) + tunnel queue (256 KiB) + channel mark (64 KiB)
        ChannelFuture last = null;
        for (int sent = 0; sent < total; sent += chunk) {
            last = client.write(Unpooled.wrappedBuffer(new byte[chunk]));
        }
        client.flush();
        becameUnwritable.get(10, SECONDS);
        assertFalse(client.isWritable());
        Channel child = accepted.get(10, SECONDS);
        // nobody asked to read: nothing reached the pipeline, no credit went back, the sender is stuck
        assertEquals(0, counting.bytes.get());
        assertFalse(last.isDone(), "bytes beyond the stream window cannot have been written");
        // reading (read() per readComplete) returns credit and lets everything through
        counting.keepReading = true;
        child.read();
        last.get(20, SECONDS);
        CompletableFuture<Void> all = new CompletableFuture<>();
        child.eventLoop().execute(() -> pollUntil(child, counting, total, all));
        all.get(20, SECONDS);
        assertEquals(total, counting.bytes.get());
        assertTrue(client.isWritable());
    }

    private static void pollUntil(Channel ch, Counting c, long total, CompletableFuture<Void> done) {
        if (c.bytes.get() >= total) {
            done.complete(null);
        } else {
            ch.eventLoop().execute(() -> pollUntil(ch, c, total, done));
        }
    }

    @Test
    void halfCloseDeliversInputShutdownAndTheReplyStillFlows() throws Exception {
        serve(() -> new ChannelInboundHandlerAdapter() {
            long n;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                n += ((ByteBuf) msg).readableBytes();
                ((ByteBuf) msg).release();
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof ChannelInputShutdownEvent) {
                    assertTrue(((DuplexChannel) ctx.channel()).isInputShutdown());
                    ctx.writeAndFlush(Unpooled.copiedBuffer("got " + n, StandardCharsets.UTF_8))
                            .addListener(ChannelFutureListener.CLOSE);
                }
            }
        }, ChannelOption.ALLOW_HALF_CLOSURE, true);
        StringBuilder reply = new StringBuilder();
        Channel client = dial(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                reply.append(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
                ((ByteBuf) msg).release();
            }
        });
        client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
        ((DuplexChannel) client).shutdownOutput().sync();
        assertTrue(((DuplexChannel) client).isOutputShutdown());
        // the server's FIN after its reply closes the client (no half closure on this side)
        client.closeFuture().await(10, SECONDS);
        assertFalse(client.isOpen());
        assertEquals("got 5", reply.toString());
        accepted.get().closeFuture().await(10, SECONDS);
    }

    @Test
    void aResetFromThePeerIsAnExceptionThenAClose() throws Exception {
        serve(() -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ((ByteBuf) msg).release();
                ((VmChannel) ctx.channel()).reset(ErrorCode.CANCELLED);
            }
        }, null, false);
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        Channel client = dial(new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                error.complete(cause);
            }
        });
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[10]));
        StreamResetException e = assertInstanceOf(StreamResetException.class, error.get(10, SECONDS));
        assertEquals(ErrorCode.CANCELLED, e.errorCode());
        assertTrue(e.isRemote());
        client.closeFuture().await(10, SECONDS);
        assertFalse(client.isOpen());
    }

    @Test
    void soLingerZeroTurnsCloseIntoAReset() throws Exception {
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        serve(() -> new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                error.complete(cause);
            }
        }, null, false);
        Channel client = new Bootstrap().group(group).channelFactory(VmChannel.factory(fx.client()))
                .option(ChannelOption.SO_LINGER, 0).handler(new ChannelInboundHandlerAdapter())
                .connect(ADDR).sync().channel();
        accepted.get(10, SECONDS);
        client.close().sync();
        StreamResetException e = assertInstanceOf(StreamResetException.class, error.get(10, SECONDS));
        assertEquals(ErrorCode.CANCELLED, e.errorCode());
        accepted.get().closeFuture().await(10, SECONDS);
    }

    @Test
    void anExceptionNothingHandlesResetsTheStream() throws Exception {
        // a server pipeline whose handler throws and has no exceptionCaught: on a socket Netty would
        // only log it; here the stream is reset with INTERNAL_ERROR so the peer is not left waiting
        serve(() -> new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
                throw new IllegalStateException("the application's decoder broke");
            }
        }, null, false);
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        Channel client = dial(new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                error.complete(cause);
            }
        });
        // not awaited: the server's RESET may close the channel before this write's promise completes
        client.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        StreamResetException e = assertInstanceOf(StreamResetException.class, error.get(10, SECONDS));
        assertEquals(ErrorCode.INTERNAL_ERROR, e.errorCode());
        assertTrue(accepted.get(10, SECONDS).closeFuture().await(10, SECONDS), "the server channel closed");
        assertTrue(client.closeFuture().await(10, SECONDS), "the client channel closed");
    }

    @Test
    void onlyByteBufsCanBeWritten() throws Exception {
        serve(ChannelInboundHandlerAdapter::new, null, false);
        Channel client = dial(new ChannelInboundHandlerAdapter());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> client.writeAndFlush("text").get(10, SECONDS));
        assertInstanceOf(UnsupportedOperationException.class, e.getCause());
        assertTrue(client.isActive(), "a rejected message does not close the channel");
        client.close().sync();
    }

    @Test
    void aClosedServerChannelRefusesNewConnections() throws Exception {
        serve(ChannelInboundHandlerAdapter::new, null, false);
        server.close().sync();
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        new Bootstrap().group(group).channelFactory(VmChannel.factory(fx.client()))
                .handler(new ChannelInboundHandlerAdapter()).connect(ADDR)
                .addListener(f -> failure.complete(f.cause()));
        assertInstanceOf(java.net.ConnectException.class, failure.get(10, SECONDS));
    }

    @Test
    void aLostTunnelFailsItsChannels() throws Exception {
        serve(ChannelInboundHandlerAdapter::new, null, false);
        CompletableFuture<Throwable> error = new CompletableFuture<>();
        Channel client = dial(new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                error.complete(cause);
            }
        });
        Channel child = accepted.get(10, SECONDS);
        fx.client().close(ErrorCode.INTERNAL_ERROR, "test kills the tunnel");
        assertInstanceOf(TunnelClosedException.class, error.get(10, SECONDS));
        client.closeFuture().await(10, SECONDS);
        child.closeFuture().await(10, SECONDS);
        assertFalse(client.isOpen());
        assertFalse(child.isOpen());
    }
}
