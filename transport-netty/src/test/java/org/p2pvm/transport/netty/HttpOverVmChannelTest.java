package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.TunnelOptions;

/**
 * An HTTP/1.1 server and client built only from Netty's own codecs, exactly as on TCP, talking over
 * virtual connections through a tunnel. Only the channel classes and addresses differ.
 */
@Timeout(60)
class HttpOverVmChannelTest {
    private static final VmSocketAddress WEB = VmSocketAddress.parse("[fd00::80]:80");

    // ---- a plain Netty HTTP server, unchanged from a TCP one ----

    /** Answers GET with "hello <uri>" and POST with the SHA-256 of the body; keep-alive aware. */
    static final class HelloHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
            String text = req.method() == HttpMethod.POST
                    ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(ByteBufUtil(req.content())))
                    : "hello " + req.uri();
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            HttpUtil.setContentLength(res, res.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static byte[] ByteBufUtil(ByteBuf b) {
            return io.netty.buffer.ByteBufUtil.getBytes(b);
        }
    }

    static final class HttpServerInitializer extends ChannelInitializer<Channel> {
        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpServerCodec())
                    .addLast(new HttpObjectAggregator(4 * 1024 * 1024))
                    .addLast(new HelloHandler());
        }
    }

    // ---- a plain Netty HTTP client pipeline ----

    static final class ClientInitializer extends ChannelInitializer<Channel> {
        final LinkedBlockingQueue<String> bodies = new LinkedBlockingQueue<>();

        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new HttpClientCodec())
                    .addLast(new HttpObjectAggregator(4 * 1024 * 1024))
                    .addLast(new SimpleChannelInboundHandler<FullHttpResponse>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
                            bodies.add(res.status().code() + " " + res.content().toString(StandardCharsets.UTF_8));
                        }
                    });
        }
    }

    private TunnelFixture fx;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private VmServerChannel server;

    @BeforeEach
    void setUp() throws Exception {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        server = (VmServerChannel) new ServerBootstrap().group(boss, workers)
                .channel(VmServerChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new HttpServerInitializer())
                .bind(WEB).sync().channel();
        fx = new TunnelFixture(TunnelOptions.defaults(), tunnel -> server.installOn(tunnel));
        fx.client.awaitRemoteListen(WEB.vmAddress()).get(10, SECONDS);
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close().sync();
        fx.close();
        boss.shutdownGracefully(0, 1, SECONDS).sync();
        workers.shutdownGracefully(0, 1, SECONDS).sync();
    }

    private Channel connect(ClientInitializer init) throws Exception {
        return new Bootstrap().group(workers).channelFactory(VmChannel.factory(fx.client))
                .handler(init).connect(WEB).sync().channel();
    }

    private static FullHttpRequest get(String uri, boolean keepAlive) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        req.headers().set(HttpHeaderNames.HOST, "vm");
        HttpUtil.setKeepAlive(req, keepAlive);
        return req;
    }

    @Test
    void keepAliveRequestsOnOneVirtualConnection() throws Exception {
        ClientInitializer init = new ClientInitializer();
        Channel ch = connect(init);
        assertInstanceOf(VmChannel.class, ch);
        assertEquals(WEB, ch.remoteAddress());
        // the virtual channel sits on the tunnel's own event loop, not on the bootstrap's group
        assertSame(fx.client.executor(), ch.eventLoop());
        for (int i = 0; i < 5; i++) {
            ch.writeAndFlush(get("/page/" + i, true)).sync();
            assertEquals("200 hello /page/" + i, init.bodies.poll(10, SECONDS));
        }
        ch.writeAndFlush(get("/bye", false)).sync();
        assertEquals("200 hello /bye", init.bodies.poll(10, SECONDS));
        // the server closed after a non-keep-alive response: FIN reaches the client, which closes
        ch.closeFuture().await(10, SECONDS);
        assertTrue(!ch.isOpen());
    }

    @Test
    void manyConcurrentVirtualConnectionsAndLargeBodies() throws Exception {
        List<Channel> channels = new ArrayList<>();
        List<ClientInitializer> inits = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        Random rnd = new Random(11);
        for (int i = 0; i < 20; i++) {
            ClientInitializer init = new ClientInitializer();
            inits.add(init);
            Channel ch = connect(init);
            channels.add(ch);
            byte[] body = new byte[100_000 + rnd.nextInt(1_000_000)];
            rnd.nextBytes(body);
            expected.add("200 " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
            FullHttpRequest post = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/upload",
                    Unpooled.wrappedBuffer(body));
            post.headers().set(HttpHeaderNames.HOST, "vm");
            HttpUtil.setContentLength(post, body.length);
            ch.writeAndFlush(post);
        }
        for (int i = 0; i < channels.size(); i++) {
            assertEquals(expected.get(i), inits.get(i).bodies.poll(20, SECONDS), "connection " + i);
            channels.get(i).close().sync();
        }
    }

    @Test
    void connectingWhereNothingListensIsRefused() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        new Bootstrap().group(workers).channelFactory(VmChannel.factory(fx.client)).handler(new ClientInitializer())
                .connect(VmSocketAddress.parse("[fd00::80]:81"))
                .addListener(f -> failure.complete(f.cause()));
        Throwable t = failure.get(10, SECONDS);
        assertInstanceOf(ConnectException.class, t);
        assertTrue(t.getMessage().contains("refused"), t.getMessage());
    }

    @Test
    void aSocketAddressIsNotAVirtualAddress() throws Exception {
        var f = new Bootstrap().group(workers).channelFactory(VmChannel.factory(fx.client))
                .handler(new ClientInitializer()).connect(new java.net.InetSocketAddress("127.0.0.1", 80));
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> f.get(10, SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("VmSocketAddress"));
    }
}
