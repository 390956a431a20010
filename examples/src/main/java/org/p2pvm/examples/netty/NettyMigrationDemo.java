package org.p2pvm.examples.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.transport.netty.VmChannel;
import org.p2pvm.transport.netty.VmServerChannel;
import org.p2pvm.transport.netty.VmSocketAddress;

/**
 * A small Netty HTTP service moved onto virtual connections in the three steps of
 * {@code docs/MIGRATION.md} (Netty part):
 * <ol>
 *   <li>pre-link: a TCP login with the application's own line protocol, then the same socket
 *       becomes a tunnel ({@link LoginThenTunnel});</li>
 *   <li>IPv6 virtual addresses: the HTTP server binds {@code [fd00::80]:80} inside the tunnel,
 *       and clients connect there ({@link VmSocketAddress});</li>
 *   <li>VM base classes: {@link VmServerChannel} and {@link VmChannel} instead of
 *       {@code NioServerSocketChannel} / {@code NioSocketChannel}; the {@code ChannelInitializer}s
 *       are unchanged.</li>
 * </ol>
 *
 * <p>Usage: {@code NettyMigrationDemo} runs both peers in one process on loopback;
 * {@code NettyMigrationDemo serve PORT} runs the server peer; {@code NettyMigrationDemo connect
 * HOST:PORT} runs the client peer against it.
 */
public final class NettyMigrationDemo {
    static final VmSocketAddress WEB = VmSocketAddress.parse("[fd00::80]:80");
    static final String PASSWORD = "demo-password";
    static final TunnelOptions OPTIONS = TunnelOptions.builder().authToken("demo-token").build();

    private NettyMigrationDemo() {
    }

    public static void main(String[] args) throws Exception {
        if (!run(args, System.out)) {
            System.err.println("usage: NettyMigrationDemo [serve PORT | connect HOST:PORT]");
            System.exit(2);
        }
    }

    /**
     * What {@link #main} does, printing to {@code out} (the smoke test reads it).
     *
     * @return false, having done nothing, when the arguments are not a usage this demo knows
     */
    static boolean run(String[] args, PrintStream out) throws Exception {
        boolean inProcess = args.length == 0;
        boolean serve = args.length == 2 && args[0].equals("serve");
        boolean connect = args.length == 2 && args[0].equals("connect");
        if (!inProcess && !serve && !connect) {
            return false;
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            if (inProcess) {
                Channel login = serve(group, 0, out);
                int port = ((InetSocketAddress) login.localAddress()).getPort();
                connect(group, new InetSocketAddress("127.0.0.1", port), out);
                login.close().sync();
            } else if (serve) {
                serve(group, Integer.parseInt(args[1]), out).closeFuture().sync();
            } else {
                String[] hp = args[1].split(":");
                connect(group, new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), out);
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        return true;
    }

    /** The server peer: a virtual HTTP server, and a TCP login port whose sockets become tunnels to it. */
    static Channel serve(EventLoopGroup group, int port, PrintStream out) throws Exception {
        // steps 2 and 3: the unchanged HTTP initializer, on a VM server channel at a virtual address
        VmServerChannel web = (VmServerChannel) new ServerBootstrap().group(group)
                .channel(VmServerChannel.class)
                .childHandler(new HelloHttpServerInitializer())
                .bind(WEB).sync().channel();
        // step 1: the login port; each logged-in socket is upgraded and reaches the web server
        Channel login = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        LoginThenTunnel.addLineCodec(ch);
                        ch.pipeline().addLast("login", LoginThenTunnel.server(PASSWORD, OPTIONS, web::installOn));
                    }
                }).bind(port).sync().channel();
        login.closeFuture().addListener(f -> web.close());
        out.println("serving " + WEB + " through tunnels from the login port " + login.localAddress());
        return login;
    }

    /** The client peer: log in, upgrade, and speak HTTP over virtual connections. */
    static void connect(EventLoopGroup group, InetSocketAddress server, PrintStream out) throws Exception {
        CompletableFuture<Tunnel> tunnel = new CompletableFuture<>();
        Channel tcp = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        LoginThenTunnel.addLineCodec(ch);
                        ch.pipeline().addLast("login", LoginThenTunnel.client("alice", PASSWORD, OPTIONS, tunnel));
                    }
                }).connect(server).sync().channel();
        Tunnel t = tunnel.get(10, TimeUnit.SECONDS);
        out.println("logged in; " + tcp.localAddress() + " -> " + tcp.remoteAddress() + " is now a tunnel");
        t.awaitRemoteListen(WEB.vmAddress()).get(10, TimeUnit.SECONDS);

        for (int i = 1; i <= 3; i++) {
            HelloHttpClientInitializer http = new HelloHttpClientInitializer();
            Channel ch = new Bootstrap().group(group)
                    .channelFactory(VmChannel.factory(t))        // step 3
                    .handler(http)                               // unchanged
                    .connect(WEB).sync().channel();              // step 2
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/page/" + i);
            req.headers().set(HttpHeaderNames.HOST, "fd00::80");
            HttpUtil.setKeepAlive(req, false);
            ch.writeAndFlush(req);
            out.println(ch.localAddress() + " -> " + ch.remoteAddress() + ": "
                    + http.responses().poll(10, TimeUnit.SECONDS));
            ch.closeFuture().await(10, TimeUnit.SECONDS);
        }
        t.close();
        t.closeFuture().get(10, TimeUnit.SECONDS);
        tcp.closeFuture().await(10, TimeUnit.SECONDS);
    }
}
