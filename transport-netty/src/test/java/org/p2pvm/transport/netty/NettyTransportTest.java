package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.HandshakeException;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/** The {@code netty} transport end to end with the real engine, over loopback. */
@Timeout(30)
class NettyTransportTest {
    private static final VmAddress ECHO = VmAddress.parse("[::99]:7");

    @Test
    void registeredAsNettyThroughServiceLoader() {
        assertTrue(Transports.names().contains("netty"), Transports.names().toString());
        try (Transport t = Transports.get("netty")) {
            assertEquals("netty", t.name());
        }
    }

    @Test
    void aBadValueOrAnUnknownNettyKeyIsRejectedNamingIt() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new NettyTransport(
                TransportConfig.builder().ioThreads(1).property("netty.epoll", "maybe").build()));
        assertTrue(bad.getMessage().contains("netty.epoll is 'maybe'"), bad.getMessage());
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class, () -> new NettyTransport(
                TransportConfig.builder().ioThreads(1).property("netty.epol", "false").build()));
        assertTrue(typo.getMessage().contains("'netty.epol'") && typo.getMessage().contains("netty.epoll"),
                typo.getMessage());
        // through the registry too, as the README shows it
        assertThrows(IllegalArgumentException.class, () -> Transports.get("netty",
                TransportConfig.builder().property("netty.tls.providr", "jdk").build()));
        // other transports' keys are theirs to check; case and blanks do not matter for booleans
        try (NettyTransport t = new NettyTransport(TransportConfig.builder().ioThreads(1)
                .property("nio.backlog", "7").property("netty.epoll", " FALSE ").build())) {
            assertEquals("nio", t.ioFlavor());
        }
    }

    @Test
    void dialAcceptAndEchoOnBothIoFlavors() throws Exception {
        for (String epoll : new String[] {"false", "true"}) {
            TransportConfig cfg = TransportConfig.builder().ioThreads(2).property("netty.epoll", epoll).build();
            try (NettyTransport server = new NettyTransport(cfg); NettyTransport client = new NettyTransport(cfg)) {
                if (epoll.equals("false")) {
                    assertEquals("nio", server.ioFlavor());
                }
                VmServer echo = Echo.server(ECHO);
                TransportServer bound = server.bind(URI.create("tcp://127.0.0.1:0"), TunnelOptions.defaults(),
                        tunnel -> tunnel.install(echo)).get(10, SECONDS);
                Tunnel tunnel = client.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS);
                assertTrue(tunnel.isDialer());
                assertInstanceOf(EventLoop.class, tunnel.executor(), "the tunnel runs on the channel's event loop");
                byte[] data = new byte[1 << 20];
                new Random(1).nextBytes(data);
                VmConnection c = tunnel.connect(ECHO).get(10, SECONDS);
                CompletableFuture<byte[]> back = Echo.readAll(c);
                c.write(ByteBuffer.wrap(data));
                c.shutdownOutput();
                assertArrayEquals(data, back.get(20, SECONDS));
                assertEquals(1, bound.tunnels().size());
                bound.closeAsync().get(10, SECONDS);
                tunnel.closeFuture().get(10, SECONDS);
            }
        }
    }

    @Test
    void wrongTokenFailsTheHandshake() throws Exception {
        try (Transport server = Transports.get("netty"); Transport client = Transports.get("netty")) {
            TransportServer bound = server.bind(URI.create("tcp://127.0.0.1:0"),
                    TunnelOptions.builder().authToken("right").build(), t -> { }).get(10, SECONDS);
            CompletableFuture<Tunnel> f = client.connect(bound.uri(), TunnelOptions.builder().authToken("wrong").build());
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, SECONDS));
            assertInstanceOf(HandshakeException.class, e.getCause());
        }
    }

    @Test
    void refusedDialNamesThePeer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (Transport client = Transports.get("netty")) {
            CompletableFuture<Tunnel> f = client.connect(new InetSocketAddress("127.0.0.1", port), TunnelOptions.defaults());
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, SECONDS));
            assertInstanceOf(IOException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("127.0.0.1:" + port), e.getCause().getMessage());
        }
    }

    @Test
    void badUrisAreRejectedWithAClearMessage() {
        try (Transport t = Transports.get("netty")) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> t.connect(URI.create("ws://127.0.0.1:1/x"), TunnelOptions.defaults()).get(10, SECONDS));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("tcp://"), e.getCause().getMessage());
        }
    }

    @Test
    void closeLeavesNoEventLoopThreads() throws Exception {
        TransportConfig cfg = TransportConfig.builder().ioThreads(2).threadNamePrefix("netty-close-test").build();
        NettyTransport server = new NettyTransport(cfg);
        NettyTransport client = new NettyTransport(cfg);
        TransportServer bound = server.bind(URI.create("tcp://127.0.0.1:0"), TunnelOptions.defaults(), t -> { })
                .get(10, SECONDS);
        client.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS);
        client.close();
        server.close();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("netty-close-test")) {
                t.join(10_000);
                assertTrue(!t.isAlive(), t.getName() + " still runs after close()");
            }
        }
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void closingTheTransportClosesItsTunnels() throws Exception {
        Transport server = Transports.get("netty");
        try (Transport client = Transports.get("netty")) {
            TransportServer bound = server.bind(URI.create("tcp://127.0.0.1:0"), TunnelOptions.defaults(), t -> { })
                    .get(10, SECONDS);
            Tunnel tunnel = client.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS);
            server.close();
            assertTrue(tunnel.closeFuture().get(10, SECONDS) != null);
        }
    }
}
