package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;

/**
 * A length-prefixed echo, the classic Netty pipeline ({@link LengthFieldBasedFrameDecoder} +
 * {@link LengthFieldPrepender}), over virtual connections: on a Netty tunnel (channels on the
 * tunnel's loop) and on a tunnel whose executor is not a Netty loop (events handed over).
 */
@Timeout(60)
class LengthFieldEchoTest {
    private static final VmSocketAddress ECHO = VmSocketAddress.parse("[fd00::7]:7");

    static final class FramedEchoInitializer extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4))
                    .addLast(new LengthFieldPrepender(4))
                    .addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.write(msg);
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            ctx.flush();
                        }
                    });
        }
    }

    static final class FramedClientInitializer extends ChannelInitializer<Channel> {
        final LinkedBlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();

        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4))
                    .addLast(new LengthFieldPrepender(4))
                    .addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                            frames.add(ByteBufUtil.getBytes(frame));
                        }
                    });
        }
    }

    private EventLoopGroup group;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 1, SECONDS).sync();
    }

    private void echoFrames(Tunnel client, VmServerChannel server, boolean sameLoopExpected) throws Exception {
        client.awaitRemoteListen(ECHO.vmAddress()).get(10, SECONDS);
        Random rnd = new Random(42);
        List<FramedClientInitializer> inits = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        List<List<byte[]>> sent = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            FramedClientInitializer init = new FramedClientInitializer();
            Channel ch = new Bootstrap().group(group).channelFactory(VmChannel.factory(client))
                    .handler(init).connect(ECHO).sync().channel();
            if (sameLoopExpected) {
                assertSame(client.executor(), ch.eventLoop());
            } else {
                assertNotSame(client.executor(), ch.eventLoop());
            }
            inits.add(init);
            channels.add(ch);
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                byte[] f = new byte[rnd.nextInt(70_000)];
                rnd.nextBytes(f);
                frames.add(f);
                ch.write(Unpooled.wrappedBuffer(f));
            }
            ch.flush();
            sent.add(frames);
        }
        for (int c = 0; c < channels.size(); c++) {
            for (byte[] expected : sent.get(c)) {
                byte[] got = inits.get(c).frames.poll(20, SECONDS);
                assertArrayEquals(expected, got, "connection " + c);
            }
            channels.get(c).close().sync();
        }
        assertEquals(ECHO, server.localAddress());
    }

    @Test
    void overANettyTunnel() throws Exception {
        VmServerChannel server = (VmServerChannel) new ServerBootstrap().group(group).channel(VmServerChannel.class)
                .childHandler(new FramedEchoInitializer()).bind(ECHO).sync().channel();
        try (TunnelFixture fx = new TunnelFixture(TunnelOptions.defaults(), server::installOn)) {
            echoFrames(fx.client, server, true);
        } finally {
            server.close().sync();
        }
    }

    @Test
    void overATunnelOnAnotherExecutor() throws Exception {
        VmServerChannel server = (VmServerChannel) new ServerBootstrap().group(group).channel(VmServerChannel.class)
                .childHandler(new FramedEchoInitializer()).bind(ECHO).sync().channel();
        try (MemoryTunnels tunnels = new MemoryTunnels(TunnelOptions.defaults(), server::installOn)) {
            echoFrames(tunnels.dialer, server, false);
        } finally {
            server.close().sync();
        }
    }
}
