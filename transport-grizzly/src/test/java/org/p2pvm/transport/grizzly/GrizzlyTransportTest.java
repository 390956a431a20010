package org.p2pvm.transport.grizzly;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/** The Grizzly transport end to end with the real engine: discovery, echo, a wrong token, bad URIs. */
@Timeout(60)
class GrizzlyTransportTest {
    static final VmAddress ECHO = VmAddress.parse("[::99]:11139");

    /** A virtual echo server: writes back what it reads, closes when the peer does. */
    static VmServer echoServer() {
        return VmServer.listen(ECHO, conn -> conn.setHandler(new VmConnection.Handler() {
            @Override
            public void onData(VmConnection c, ByteBuffer data) {
                ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
                c.write(copy, null);
            }

            @Override
            public void onInputShutdown(VmConnection c) {
                c.shutdownOutput();
            }
        }));
    }

    static byte[] echo(Tunnel tunnel, int size) throws Exception {
        VmConnection c = tunnel.connect(ECHO).get(10, SECONDS);
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        InputStream in = c.inputStream();
        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
            try {
                return in.readAllBytes();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        try (OutputStream out = c.outputStream()) {
            out.write(data);
        }
        byte[] got = read.get(30, SECONDS);
        assertArrayEquals(data, got);
        return got;
    }

    @Test
    void aBadValueOrAnUnknownGrizzlyKeyIsRejectedNamingIt() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Transports.get("grizzly",
                org.p2pvm.spi.TransportConfig.builder().property("grizzly.maxWriteQueueBytes", "1MiB").build()));
        assertTrue(bad.getMessage().contains("grizzly.maxWriteQueueBytes is '1MiB'"), bad.getMessage());
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class, () -> Transports.get("grizzly",
                org.p2pvm.spi.TransportConfig.builder().property("grizzly.maxWriteQueue", "100").build()));
        assertTrue(typo.getMessage().contains("'grizzly.maxWriteQueue'"), typo.getMessage());
        try (Transport t = Transports.get("grizzly", org.p2pvm.spi.TransportConfig.builder().ioThreads(1)
                .property("grizzly.maxWriteQueueBytes", " 4096 ").property("netty.epoll", "false").build())) {
            assertEquals(4096, ((GrizzlyTransport) t).grizzlyTransport().getAsyncQueueIO().getWriter()
                    .getMaxPendingBytesPerConnection());
        }
    }

    @Test
    void isFoundByNameAndEchoesOverAVirtualConnection() throws Exception {
        assertTrue(Transports.names().contains("grizzly"));
        try (Transport server = Transports.get("grizzly"); Transport client = Transports.get("grizzly")) {
            TransportServer bound = server.bind(new InetSocketAddress("127.0.0.1", 0), TunnelOptions.defaults(),
                    t -> t.install(echoServer())).get(10, SECONDS);
            Tunnel tunnel = client.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS);
            assertTrue(tunnel.isDialer());
            echo(tunnel, 1);
            echo(tunnel, 3 * 1024 * 1024 + 7); // beyond windows and write-queue limits
            assertEquals(1, bound.tunnels().size());
            tunnel.close();
            tunnel.closeFuture().get(10, SECONDS);
            bound.closeAsync().get(10, SECONDS);
        }
    }

    @Test
    void wrongTokenFailsTheHandshake() throws Exception {
        try (Transport server = Transports.get("grizzly"); Transport client = Transports.get("grizzly")) {
            TransportServer bound = server.bind(new InetSocketAddress("127.0.0.1", 0),
                    TunnelOptions.builder().authToken("right").build(), t -> { }).get(10, SECONDS);
            CompletableFuture<Tunnel> f = client.connect(bound.uri(), TunnelOptions.builder().authToken("wrong").build());
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, SECONDS));
            assertTrue(e.getCause() instanceof HandshakeException, e.getCause().toString());
        }
    }

    @Test
    void badPeersFailWithClearErrors() throws Exception {
        try (Transport t = Transports.get("grizzly")) {
            ExecutionException scheme = assertThrows(ExecutionException.class,
                    () -> t.connect(URI.create("ws://127.0.0.1:1/x"), TunnelOptions.defaults()).get(10, SECONDS));
            assertTrue(scheme.getCause().getMessage().contains("tcp://"), scheme.getCause().getMessage());
            // a port nobody listens on: take a free port, then close it
            int port;
            try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
                port = ss.getLocalPort();
            }
            URI nobody = URI.create("tcp://127.0.0.1:" + port);
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> t.connect(nobody, TunnelOptions.defaults()).get(10, SECONDS));
            assertTrue(refused.getCause() instanceof java.io.IOException, refused.getCause().toString());
            assertTrue(refused.getCause().getMessage().contains(nobody.toString()), refused.getCause().getMessage());
        }
    }

    @Test
    void closingTheServerAndTheTransportClosesTheirTunnels() throws Exception {
        Transport client = Transports.get("grizzly");
        Transport server = Transports.get("grizzly");
        try {
            TransportServer bound = server.bind(new InetSocketAddress("127.0.0.1", 0), TunnelOptions.defaults(),
                    t -> t.install(echoServer())).get(10, SECONDS);
            Tunnel first = client.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS);
            Tunnel second = client.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS);
            echo(second, 10);
            bound.closeAsync().get(20, SECONDS); // GOAWAY SHUTDOWN on both
            first.closeFuture().get(20, SECONDS);
            second.closeFuture().get(20, SECONDS);
            assertTrue(bound.tunnels().isEmpty());
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> client.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS));
            assertTrue(refused.getCause() instanceof java.io.IOException, refused.getCause().toString());
            // the dialing transport's close ends its tunnels too
            TransportServer again = server.bind(new InetSocketAddress("127.0.0.1", 0), TunnelOptions.defaults(),
                    t -> { }).get(10, SECONDS);
            Tunnel third = client.connect(again.uri(), TunnelOptions.defaults()).get(10, SECONDS);
            client.close();
            third.closeFuture().get(20, SECONDS);
            assertTrue(!third.isOpen());
        } finally {
            client.close();
            server.close();
        }
        assertThrows(IllegalStateException.class, () -> {
            try {
                client.connect(URI.create("tcp://127.0.0.1:1"), TunnelOptions.defaults()).get(10, SECONDS);
            } catch (ExecutionException e) {
                throw e.getCause();
            }
        });
    }
}
