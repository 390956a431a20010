package org.p2pvm.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;
import io.netty.handler.ssl.SslHandler;
import org.p2pvm.engine.tls.TlsContexts;
import org.p2pvm.transport.netty.internal.IoFlavor;
import org.p2pvm.transport.netty.internal.NettyCarrier;
import org.p2pvm.transport.netty.internal.NettyTransportServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code netty} transport: dials and accepts {@code tcp://host:port} carriers on Netty's own event
 * loops (native epoll when the machine has it, else NIO) and opens a tunnel on each. The tunnel's
 * serial executor is the carrier channel's {@link io.netty.channel.EventLoop}, so tunnels, their
 * callbacks and any {@link VmChannel} on them run on that one thread, without hand-offs.
 *
 * <p>TLS: when {@link TunnelOptions#tls()} is set, a Netty {@link SslHandler} sits in front of the
 * carrier (set up by {@link TlsContexts} like every transport; OpenSSL when netty-tcnative is on the
 * class path, else the JDK engine: see {@link NettyTls}); the tunnel handshake runs inside TLS.
 *
 * <p>Properties of the {@link TransportConfig}: {@code netty.epoll} ({@code true}/{@code false},
 * default true) allows the native transport; {@code netty.tls.provider} ({@code auto}, {@code jdk},
 * {@code openssl}; default auto) picks the TLS engine. A bad value or an unknown {@code netty.*} key
 * fails the constructor with an {@link IllegalArgumentException} naming it.
 *
 * <p>Thread-safe. {@link #close()} closes every server and tunnel (GOAWAY SHUTDOWN), waits briefly for
 * them, and stops the event loops.
 */
public final class NettyTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);
    /** How long {@link #close()} lets tunnels say GOAWAY before the loops stop. */
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private final IoFlavor flavor;
    private final EventLoopGroup group;
    private final Set<Tunnel> tunnels = ConcurrentHashMap.newKeySet();
    private final Set<Channel> carriers = ConcurrentHashMap.newKeySet();
    private final Set<NettyTransportServer> servers = ConcurrentHashMap.newKeySet();
    private final String tlsProvider;
    private volatile boolean closed;

    /**
     * A transport with its own event loops, configured by {@code config}.
     *
     * @throws IllegalArgumentException naming the property when a {@code netty.*} key is unknown or its
     *     value is bad
     */
    public NettyTransport(TransportConfig config) {
        Objects.requireNonNull(config, "config");
        NettySettings settings = NettySettings.of(config);
        this.tlsProvider = settings.tlsProvider();
        this.flavor = IoFlavor.choose(settings.allowEpoll());
        String prefix = config.threadNamePrefix() != null ? config.threadNamePrefix() : "p2pvm-netty-" + flavor.name();
        this.group = new MultiThreadIoEventLoopGroup(config.effectiveIoThreads(),
                new DefaultThreadFactory(prefix, true), flavor.ioHandlerFactory());
        LOG.debug("netty transport on {} with {} event loops", flavor.name(), config.effectiveIoThreads());
    }

    @Override
    public String name() {
        return NettyTransportProvider.NAME;
    }

    /** {@code epoll} or {@code nio}: the I/O flavour actually in use. */
    public String ioFlavor() {
        return flavor.name();
    }

    /** The event loops of this transport (a {@link VmChannel} client may share them). */
    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    @Override
    public CompletableFuture<Tunnel> connect(URI peer, TunnelOptions options) {
        Objects.requireNonNull(options, "options");
        InetSocketAddress address;
        try {
            address = Transports.socketAddress(peer);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the netty transport is closed"));
        }
        NettyTls tls;
        try {
            tls = options.tls() == null ? null : NettyTls.of(options.tls(), true, tlsProvider);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Tunnel> result = new CompletableFuture<>();
        Bootstrap b = new Bootstrap().group(group).channel(flavor.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), address.getHostString(),
                                    address.getPort()));
                        }
                        NettyCarrier carrier = NettyCarrier.forEngine(ch, true, true, options, null);
                        ch.pipeline().addLast("p2pvm-carrier", carrier);
                        carrier.handshake().whenComplete((t, e) -> {
                            if (e != null) {
                                result.completeExceptionally(e);
                            } else {
                                track(t);
                                result.complete(t);
                            }
                        });
                    }
                });
        ChannelFuture cf = b.connect(address);
        trackCarrier(cf.channel());
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new IOException("cannot connect to " + Transports.tcpUri(address)
                        + ": " + f.cause().getMessage(), f.cause()));
            }
        });
        return result;
    }

    @Override
    public CompletableFuture<TransportServer> bind(URI local, TunnelOptions options, Consumer<? super Tunnel> onTunnel) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(onTunnel, "onTunnel");
        InetSocketAddress address;
        try {
            address = Transports.socketAddress(local);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the netty transport is closed"));
        }
        NettyTls tls;
        try {
            tls = options.tls() == null ? null : NettyTls.of(options.tls(), false, tlsProvider);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        Set<Tunnel> serverTunnels = ConcurrentHashMap.newKeySet();
        org.p2pvm.engine.HandshakeGate handshakes = org.p2pvm.engine.HandshakeGate.of(options); // per bound server, §10
        ServerBootstrap b = new ServerBootstrap().group(group).channel(flavor.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        trackCarrier(ch);
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), null, 0));
                        }
                        NettyCarrier carrier = NettyCarrier.forEngine(ch, false, true, options, tunnel -> {
                            track(tunnel);
                            serverTunnels.add(tunnel);
                            tunnel.closeFuture().thenRun(() -> serverTunnels.remove(tunnel));
                            onTunnel.accept(tunnel);
                        }, handshakes);
                        ch.pipeline().addLast("p2pvm-carrier", carrier);
                        carrier.handshake().whenComplete((t, e) -> {
                            if (e != null) {
                                LOG.info("tunnel handshake with {} failed: {}", ch.remoteAddress(), e.toString());
                            }
                        });
                    }
                });
        CompletableFuture<TransportServer> result = new CompletableFuture<>();
        b.bind(address).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                NettyTransportServer server = new NettyTransportServer(f.channel(), serverTunnels);
                servers.add(server);
                f.channel().closeFuture().addListener(x -> servers.remove(server));
                result.complete(server);
            } else {
                result.completeExceptionally(new IOException("cannot listen on " + Transports.tcpUri(address)
                        + ": " + f.cause().getMessage(), f.cause()));
            }
        });
        return result;
    }

    private void track(Tunnel tunnel) {
        tunnels.add(tunnel);
        tunnel.closeFuture().thenRun(() -> tunnels.remove(tunnel));
        if (closed) {
            tunnel.close(ErrorCode.SHUTDOWN, "transport closed");
        }
    }

    private void trackCarrier(Channel ch) {
        carriers.add(ch);
        ch.closeFuture().addListener(f -> carriers.remove(ch));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<CompletableFuture<?>> done = new ArrayList<>();
        for (NettyTransportServer s : servers) {
            done.add(s.closeAsync());
        }
        for (Tunnel t : tunnels) {
            t.close(ErrorCode.SHUTDOWN, "transport closed");
            done.add(t.closeFuture());
        }
        boolean onOwnLoop = group.next().inEventLoop() || isOwnThread();
        if (!onOwnLoop) {
            try {
                CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                        .get(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.debug("tunnels did not close within {}; stopping the event loops anyway", CLOSE_GRACE);
            }
        }
        for (Channel ch : carriers) {
            ch.close();
        }
        io.netty.util.concurrent.Future<?> stop = group.shutdownGracefully(0, CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        if (!onOwnLoop) {
            stop.awaitUninterruptibly(CLOSE_GRACE.toMillis() * 2);
        }
    }

    private boolean isOwnThread() {
        for (io.netty.util.concurrent.EventExecutor e : group) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "NettyTransport{" + flavor.name() + '}';
    }
}
