package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.handler.logging.LoggingHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.HandshakeException;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/**
 * Pre-link: an application speaks its own line-based login protocol on a plain Netty channel, then
 * both ends upgrade that very socket into a tunnel and open virtual connections on it.
 */
@Timeout(30)
class UpgradeTest {
    private static final VmAddress ECHO = VmAddress.parse("[fd00::1]:9000");
    private static final TunnelOptions OPTIONS = TunnelOptions.builder().authToken("s3cret").build();

    private EventLoopGroup group;
    private Channel server;
    private final CompletableFuture<Tunnel> serverTunnel = new CompletableFuture<>();
    private final CompletableFuture<Channel> serverChild = new CompletableFuture<>();

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close().sync();
        }
        group.shutdownGracefully(0, 1, SECONDS).sync();
    }

    /** The application's own line protocol: decoder, string codec, and a login handler. */
    private static void lineProtocol(Channel ch, SimpleChannelInboundHandler<String> login) {
        ch.pipeline().addLast("lines", new LineBasedFrameDecoder(256))
                .addLast("strDecoder", new StringDecoder(StandardCharsets.UTF_8))
                .addLast("strEncoder", new StringEncoder(StandardCharsets.UTF_8))
                .addLast("login", login);
    }

    private static SimpleChannelInboundHandler<String> onLine(BiConsumer<ChannelHandlerContext, String> body) {
        return new SimpleChannelInboundHandler<>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, String line) {
                body.accept(ctx, line);
            }
        };
    }

    private InetSocketAddress startServer(SimpleChannelInboundHandler<String> loginFactoryProbe,
            java.util.function.Supplier<SimpleChannelInboundHandler<String>> login, boolean recordReads) throws Exception {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (recordReads) {
                            ch.pipeline().addLast("probe", new ReadSizes());
                        }
                        lineProtocol(ch, login.get());
                        serverChild.complete(ch);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return (InetSocketAddress) server.localAddress();
    }

    private Channel dial(InetSocketAddress to, java.util.function.Consumer<Channel> init) throws Exception {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        init.accept(ch);
                    }
                }).connect(to).sync().channel();
    }

    /** Records the size of every socket read, to prove the handshake shared a read with the last line. */
    static final class ReadSizes extends ChannelInboundHandlerAdapter {
        final List<Integer> sizes = new CopyOnWriteArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            sizes.add(((ByteBuf) msg).readableBytes());
            ctx.fireChannelRead(msg);
        }
    }

    private static void assertEchoWorks(Tunnel tunnel) throws Exception {
        tunnel.awaitRemoteListen(ECHO).get(10, SECONDS);
        for (int i = 0; i < 3; i++) {
            byte[] data = new byte[100_000 + i];
            new Random(i).nextBytes(data);
            VmConnection c = tunnel.connect(ECHO).get(10, SECONDS);
            CompletableFuture<byte[]> back = Echo.readAll(c);
            c.write(ByteBuffer.wrap(data));
            c.shutdownOutput();
            assertArrayEquals(data, back.get(10, SECONDS));
        }
    }

    @Test
    void loginReplyAndHandshakeInOneSegmentThenVirtualConnections() throws Exception {
        VmServer echo = Echo.server(ECHO);
        // server: on "LOGIN alice" answer "OK" and upgrade in the same flush, so the client reads
        // "OK\n" and the server's HELLO in one segment
        InetSocketAddress addr = startServer(null, () -> onLine((ctx, line) -> {
            if (!line.equals("LOGIN alice")) {
                ctx.writeAndFlush("DENIED\n").addListener(f -> ctx.close());
                return;
            }
            ctx.write("OK\n");
            NettyTunnels.upgrade(ctx.channel(), OPTIONS, UpgradeOptions.builder().onOpen(t -> t.install(echo)).build())
                    .whenComplete((t, e) -> complete(serverTunnel, t, e));
        }), false);
        ReadSizes clientReads = new ReadSizes();
        CompletableFuture<Tunnel> clientTunnel = new CompletableFuture<>();
        Channel client = dial(addr, ch -> {
            ch.pipeline().addLast("probe", clientReads);
            lineProtocol(ch, onLine((ctx, line) -> {
                assertEquals("OK", line);
                NettyTunnels.upgrade(ctx.channel(), OPTIONS, UpgradeOptions.builder().keep("probe").build())
                        .whenComplete((t, e) -> complete(clientTunnel, t, e));
            }));
        });
        client.writeAndFlush("LOGIN alice\n");
        Tunnel t = clientTunnel.get(10, SECONDS);
        assertTrue(t.isDialer());
        assertFalse(serverTunnel.get(10, SECONDS).isDialer());
        // the reply line and the HELLO came in one read: the decoder's leftover reached the tunnel
        assertTrue(clientReads.sizes.get(0) > "OK\n".length(), "first read " + clientReads.sizes);
        assertEquals(List.of("probe", ChannelUpgradeName.CARRIER), names(client));
        assertEquals(List.of(ChannelUpgradeName.CARRIER), names(serverChild.get()));
        assertEquals(client.remoteAddress(), t.carrierRemoteAddress());
        assertEchoWorks(t);
        // and the server can connect back through the same socket (either end may connect)
        Tunnel st = serverTunnel.get();
        VmServer clientEcho = Echo.server(VmAddress.parse("[fd00::2]:1"));
        t.install(clientEcho).get(10, SECONDS);
        st.awaitRemoteListen(VmAddress.parse("[fd00::2]:1")).get(10, SECONDS);
        VmConnection back = st.connect(VmAddress.parse("[fd00::2]:1")).get(10, SECONDS);
        CompletableFuture<byte[]> got = Echo.readAll(back);
        back.write(ByteBuffer.wrap("reverse".getBytes(StandardCharsets.UTF_8)));
        back.shutdownOutput();
        assertEquals("reverse", new String(got.get(10, SECONDS), StandardCharsets.UTF_8));
    }

    @Test
    void peerHelloInTheSameSegmentAsItsLoginLineIsNotLost() throws Exception {
        VmServer echo = Echo.server(ECHO);
        // server: a silent login; upgrade right from the handler that decoded the line
        InetSocketAddress addr = startServer(null, () -> onLine((ctx, line) -> {
            assertEquals("LOGIN bob", line);
            NettyTunnels.upgrade(ctx.channel(), OPTIONS,
                    UpgradeOptions.builder().keep("probe").onOpen(t -> t.install(echo)).build())
                    .whenComplete((t, e) -> complete(serverTunnel, t, e));
        }), true);
        // client: an optimistic login: the line and the HELLO leave in one flush
        CompletableFuture<Tunnel> clientTunnel = new CompletableFuture<>();
        Channel client = dial(addr, ch -> lineProtocol(ch, onLine((ctx, line) -> { })));
        client.eventLoop().execute(() -> {
            client.write("LOGIN bob\n");
            NettyTunnels.upgrade(client, OPTIONS).whenComplete((t, e) -> complete(clientTunnel, t, e));
        });
        assertEchoWorks(clientTunnel.get(10, SECONDS));
        ReadSizes serverReads = (ReadSizes) serverChild.get().pipeline().get("probe");
        assertNotNull(serverReads);
        // the login line and the client's HELLO arrived in one read: nothing was lost in the decoder
        assertTrue(serverReads.sizes.get(0) > "LOGIN bob\n".length(), "first read " + serverReads.sizes);
    }

    @Test
    void aKeptSslHandlerCarriesTheTunnelInsideTheExistingTlsSession(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        org.p2pvm.engine.contract.TestPki pki = org.p2pvm.engine.contract.TestPki.create(dir, "localhost", "127.0.0.1");
        javax.net.ssl.SSLContext serverCtx = org.p2pvm.engine.tls.TlsContexts.context(pki.serverTls());
        javax.net.ssl.SSLContext clientCtx = org.p2pvm.engine.tls.TlsContexts.context(pki.clientTlsWithoutCertificate());
        VmServer echo = Echo.server(ECHO);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("ssl", new io.netty.handler.ssl.SslHandler(
                                org.p2pvm.engine.tls.TlsContexts.engine(serverCtx, pki.serverTls(), false, null, 0)));
                        lineProtocol(ch, onLine((ctx, line) -> {
                            ctx.write("OK\n");
                            NettyTunnels.upgrade(ctx.channel(), OPTIONS, UpgradeOptions.builder().keep("ssl")
                                    .onOpen(t -> t.install(echo)).build())
                                    .whenComplete((t, e) -> complete(serverTunnel, t, e));
                        }));
                        serverChild.complete(ch);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        CompletableFuture<Tunnel> clientTunnel = new CompletableFuture<>();
        Channel client = dial((InetSocketAddress) server.localAddress(), ch -> {
            ch.pipeline().addLast("ssl", new io.netty.handler.ssl.SslHandler(org.p2pvm.engine.tls.TlsContexts.engine(
                    clientCtx, pki.clientTlsWithoutCertificate(), true, "127.0.0.1", 0)));
            lineProtocol(ch, onLine((ctx, line) -> NettyTunnels.upgrade(ctx.channel(), OPTIONS,
                    UpgradeOptions.builder().keep("ssl").build()).whenComplete((t, e) -> complete(clientTunnel, t, e))));
        });
        client.writeAndFlush("LOGIN tls\n");
        Tunnel t = clientTunnel.get(10, SECONDS);
        assertEchoWorks(t);
        assertEquals(List.of("ssl", ChannelUpgradeName.CARRIER), names(client));
        assertEquals(List.of("ssl", ChannelUpgradeName.CARRIER), names(serverChild.get()));
    }

    @Test
    void removeTakesOutOnlyTheNamedHandlersAndKeepsTheRestInFront() throws Exception {
        VmServer echo = Echo.server(ECHO);
        List<String> lineProtocol = List.of("lines", "strDecoder", "strEncoder", "login");
        // server: "probe" (recordReads) is not named, so it stays in front of the carrier
        InetSocketAddress addr = startServer(null, () -> onLine((ctx, line) -> {
            ctx.write("OK\n");
            NettyTunnels.upgrade(ctx.channel(), OPTIONS, UpgradeOptions.builder()
                    .remove(lineProtocol.toArray(String[]::new)).onOpen(t -> t.install(echo)).build())
                    .whenComplete((t, e) -> complete(serverTunnel, t, e));
        }), true);
        ReadSizes clientReads = new ReadSizes();
        CompletableFuture<Tunnel> clientTunnel = new CompletableFuture<>();
        Channel client = dial(addr, ch -> {
            ch.pipeline().addLast("log", new LoggingHandler()).addLast("probe", clientReads);
            lineProtocol(ch, onLine((ctx, line) -> NettyTunnels.upgrade(ctx.channel(), OPTIONS,
                    UpgradeOptions.builder().remove("login", "strEncoder", "strDecoder", "lines").build())
                    .whenComplete((t, e) -> complete(clientTunnel, t, e))));
        });
        client.writeAndFlush("LOGIN dave\n");
        Tunnel t = clientTunnel.get(10, SECONDS);
        assertEquals(List.of("log", "probe", ChannelUpgradeName.CARRIER), names(client));
        assertEquals(List.of("probe", ChannelUpgradeName.CARRIER), names(serverChild.get()));
        assertEchoWorks(t);
        // the kept handlers really are in the path: they saw the tunnel's bytes, not just the login
        int seen = clientReads.sizes.stream().mapToInt(Integer::intValue).sum();
        assertTrue(seen > 300_000, "the kept probe saw only " + seen + " bytes");
    }

    @Test
    void anExplicitRoleMakesTheAcceptedChannelTheDialer() throws Exception {
        VmServer echo = Echo.server(ECHO);
        // the server's accepted channel would be the acceptor by default; here it dials, and the
        // client's channel (made by a Bootstrap, default dialer) accepts
        InetSocketAddress addr = startServer(null, () -> onLine((ctx, line) -> {
            ctx.write("OK\n");
            NettyTunnels.upgrade(ctx.channel(), OPTIONS,
                    UpgradeOptions.builder().dialer(true).onOpen(t -> t.install(echo)).build())
                    .whenComplete((t, e) -> complete(serverTunnel, t, e));
        }), false);
        CompletableFuture<Tunnel> clientTunnel = new CompletableFuture<>();
        Channel client = dial(addr, ch -> lineProtocol(ch, onLine((ctx, line) -> NettyTunnels.upgrade(ctx.channel(),
                OPTIONS, UpgradeOptions.builder().dialer(false).build())
                .whenComplete((t, e) -> complete(clientTunnel, t, e)))));
        client.writeAndFlush("LOGIN erin\n");
        Tunnel t = clientTunnel.get(10, SECONDS);
        assertFalse(t.isDialer());
        assertTrue(serverTunnel.get(10, SECONDS).isDialer());
        assertEquals(List.of(ChannelUpgradeName.CARRIER), names(client));
        assertEquals(List.of(ChannelUpgradeName.CARRIER), names(serverChild.get()));
        // the acceptor end opens streams too (even ids), and the dialer end serves them
        assertEchoWorks(t);
    }

    @Test
    void anApplicationReadingOnDemandGetsATunnelThatReadsByItself() throws Exception {
        VmServer echo = Echo.server(ECHO);
        // the server application turned autoRead off and asks for each read itself
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(io.netty.channel.ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("demand", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.read();
                                ctx.fireChannelActive();
                            }
                        });
                        lineProtocol(ch, onLine((ctx, line) -> NettyTunnels.upgrade(ctx.channel(), OPTIONS,
                                UpgradeOptions.builder().onOpen(t -> t.install(echo)).build())
                                .whenComplete((t, e) -> complete(serverTunnel, t, e))));
                        serverChild.complete(ch);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        CompletableFuture<Tunnel> clientTunnel = new CompletableFuture<>();
        Channel client = dial((InetSocketAddress) server.localAddress(), ch -> lineProtocol(ch, onLine((ctx, l) -> { })));
        client.eventLoop().execute(() -> {
            client.write("LOGIN carol\n");
            NettyTunnels.upgrade(client, OPTIONS).whenComplete((t, e) -> complete(clientTunnel, t, e));
        });
        Tunnel t = clientTunnel.get(10, SECONDS);
        serverTunnel.get(10, SECONDS);
        Channel child = serverChild.get();
        CompletableFuture<Boolean> autoRead = new CompletableFuture<>();
        child.eventLoop().execute(() -> autoRead.complete(child.config().isAutoRead()));
        assertTrue(autoRead.get(10, SECONDS), "the carrier owns reading after the upgrade");
        // 300 kB each way: more than one read's worth, so it needs continuous reading
        assertEchoWorks(t);
    }

    @Test
    void unknownHandlerNameFailsAndLeavesThePipelineAlone() throws Exception {
        InetSocketAddress addr = startServer(null, () -> onLine((ctx, line) -> { }), false);
        Channel client = dial(addr, ch -> {
            ch.pipeline().addLast("log", new LoggingHandler());
            lineProtocol(ch, onLine((ctx, line) -> { }));
        });
        List<String> before = names(client);
        CompletableFuture<Tunnel> f = NettyTunnels.upgrade(client, OPTIONS, UpgradeOptions.builder().keep("nope").build());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("nope"));
        assertEquals(before, names(client));
        assertThrows(IllegalArgumentException.class, () -> UpgradeOptions.builder().keep("a").remove("b").build());
    }

    @Test
    void wrongTokenFailsBothUpgrades() throws Exception {
        InetSocketAddress addr = startServer(null, () -> onLine((ctx, line) -> NettyTunnels.upgrade(ctx.channel(),
                TunnelOptions.builder().authToken("other").build()).whenComplete((t, e) -> complete(serverTunnel, t, e))),
                false);
        Channel client = dial(addr, ch -> lineProtocol(ch, onLine((ctx, line) -> { })));
        CompletableFuture<Tunnel> clientTunnel = new CompletableFuture<>();
        client.eventLoop().execute(() -> {
            client.write("LOGIN eve\n");
            NettyTunnels.upgrade(client, OPTIONS).whenComplete((t, e) -> complete(clientTunnel, t, e));
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> clientTunnel.get(10, SECONDS));
        assertInstanceOf(HandshakeException.class, e.getCause());
        assertThrows(ExecutionException.class, () -> serverTunnel.get(10, SECONDS));
        client.closeFuture().get(10, SECONDS);
    }

    private static List<String> names(Channel ch) throws Exception {
        CompletableFuture<List<String>> f = new CompletableFuture<>();
        ch.eventLoop().execute(() -> f.complete(ch.pipeline().names().stream()
                .filter(n -> ch.pipeline().get(n) != null).toList()));
        return f.get(10, SECONDS);
    }

    private static <T> void complete(CompletableFuture<T> f, T value, Throwable e) {
        if (e != null) {
            f.completeExceptionally(e);
        } else {
            f.complete(value);
        }
    }

    /** The carrier's pipeline name, as the tests expect it. */
    static final class ChannelUpgradeName {
        static final String CARRIER = org.p2pvm.transport.netty.internal.ChannelUpgrade.CARRIER_NAME;
    }
}
