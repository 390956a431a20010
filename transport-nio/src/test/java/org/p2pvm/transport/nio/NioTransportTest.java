package org.p2pvm.transport.nio;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
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

/** The nio transport end to end on loopback: binding, dialling, errors, tunnels, shutdown. */
@Timeout(60)
class NioTransportTest {
    private static final URI ANY_PORT = URI.create("tcp://127.0.0.1:0");
    private static final VmAddress ECHO = VmAddress.parse("[::99]:11139");
    private static final TunnelOptions OPTIONS = TunnelOptions.defaults();

    private static NioTransport transport(String prefix) {
        return new NioTransport(TransportConfig.builder().ioThreads(2).threadNamePrefix(prefix).build());
    }

    private static Set<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith(prefix + "-")).collect(Collectors.toSet());
    }

    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, SECONDS));
        return e.getCause();
    }

    /** Echoes every byte and FIN (without backpressure: the tests' volumes are small). */
    private static final VmServer ECHO_SERVER = VmServer.listen(ECHO, conn -> conn.setHandler(new VmConnection.Handler() {
        @Override
        public void onData(VmConnection c, ByteBuffer data) {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining());
            copy.put(data).flip();
            c.write(copy, null);
        }

        @Override
        public void onInputShutdown(VmConnection c) {
            c.shutdownOutput();
        }
    }));

    private static void echoRoundTrip(Tunnel tunnel, int bytes) throws Exception {
        tunnel.awaitRemoteListen(ECHO).get(10, SECONDS);
        VmConnection c = tunnel.connect(ECHO).get(10, SECONDS);
        byte[] data = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            data[i] = (byte) (i * 7 + (i >>> 10));
        }
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = c.outputStream()) {
                out.write(data);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        InputStream in = c.inputStream();
        byte[] back = in.readAllBytes();
        writer.get(10, SECONDS);
        assertEquals(bytes, back.length);
        for (int i = 0; i < bytes; i++) {
            if (back[i] != data[i]) {
                throw new AssertionError("byte " + i + " differs");
            }
        }
    }

    @Test
    void isFoundByServiceLoaderAsNio() {
        assertTrue(Transports.names().contains("nio"));
        assertEquals("nio", Transports.provider("nio").name());
        try (Transport t = Transports.get("nio", TransportConfig.builder().ioThreads(1).threadNamePrefix("nio-sl").build())) {
            assertInstanceOf(NioTransport.class, t);
            assertEquals("nio", t.name());
        }
        assertEquals(Set.of(), threadsNamed("nio-sl"));
    }

    @Test
    void usesOneSelectorThreadPerProcessorByDefaultAndTheConfiguredNumberOtherwise() {
        try (NioTransport t = new NioTransport(TransportConfig.builder().threadNamePrefix("nio-cpu").build())) {
            assertEquals(Runtime.getRuntime().availableProcessors(), t.ioThreads());
            assertEquals(Runtime.getRuntime().availableProcessors(), threadsNamed("nio-cpu").size());
        }
        try (NioTransport t = new NioTransport(TransportConfig.builder().ioThreads(3).threadNamePrefix("nio-three").build())) {
            assertEquals(Set.of("nio-three-1", "nio-three-2", "nio-three-3"), threadsNamed("nio-three"));
        }
        assertEquals(Set.of(), threadsNamed("nio-three"));
    }

    @Test
    void rejectsBadPropertiesNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NioTransport(
                TransportConfig.builder().property(NioTransport.WRITE_HIGH_WATER_MARK, "lots").build()));
        assertTrue(e.getMessage().contains(NioTransport.WRITE_HIGH_WATER_MARK), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NioTransport(
                TransportConfig.builder().property("nio.writeHighWatermark", "1").build()));
        assertTrue(e.getMessage().contains("nio.writeHighWatermark"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NioTransport(
                TransportConfig.builder().property(NioTransport.CONNECT_TIMEOUT_MILLIS, "0").build()));
        assertTrue(e.getMessage().contains(NioTransport.CONNECT_TIMEOUT_MILLIS), e.getMessage());
    }

    @Test
    void bindsPortZeroAndReportsTheRealPort() throws Exception {
        try (NioTransport t = transport("nio-bind")) {
            TransportServer server = t.bind(ANY_PORT, OPTIONS, tunnel -> { }).get(10, SECONDS);
            int port = server.localAddress().getPort();
            assertNotEquals(0, port);
            assertEquals(URI.create("tcp://127.0.0.1:" + port), server.uri());
            try (Socket s = new Socket("127.0.0.1", port)) {
                assertTrue(s.isConnected());
            }
            server.closeAsync().get(10, SECONDS);
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
        }
    }

    @Test
    void bindOnAPortInUseFailsNamingTheAddress() throws Exception {
        try (NioTransport t = transport("nio-inuse"); ServerSocket taken = new ServerSocket(0, 50,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            URI uri = URI.create("tcp://127.0.0.1:" + taken.getLocalPort());
            Throwable e = failure(t.bind(uri, OPTIONS, tunnel -> { }));
            assertInstanceOf(BindException.class, e);
            assertTrue(e.getMessage().contains(uri.toString()), e.getMessage());
        }
    }

    @Test
    void connectRefusedFailsNamingThePeer() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        try (NioTransport t = transport("nio-refused")) {
            URI peer = URI.create("tcp://127.0.0.1:" + port);
            Throwable e = failure(t.connect(peer, OPTIONS));
            assertInstanceOf(ConnectException.class, e);
            assertTrue(e.getMessage().contains(peer.toString()), e.getMessage());
        }
    }

    @Test
    void connectTimesOutNamingThePeer() throws Exception {
        // a listener whose accept queue is full drops further SYNs: the dial can only time out
        try (java.nio.channels.ServerSocketChannel full = java.nio.channels.ServerSocketChannel.open()) {
            full.bind(new InetSocketAddress("127.0.0.1", 0), 1);
            List<java.nio.channels.SocketChannel> fillers = new ArrayList<>();
            try (NioTransport t = new NioTransport(TransportConfig.builder().ioThreads(1).threadNamePrefix("nio-timeout")
                    .property(NioTransport.CONNECT_TIMEOUT_MILLIS, "300").build())) {
                for (int i = 0; i < 8; i++) {
                    java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open();
                    c.configureBlocking(false);
                    c.connect(full.getLocalAddress());
                    fillers.add(c);
                }
                URI peer = Transports.tcpUri((InetSocketAddress) full.getLocalAddress());
                Throwable e = failure(t.connect(peer, OPTIONS));
                assertInstanceOf(java.net.SocketTimeoutException.class, e);
                assertTrue(e.getMessage().contains(peer.toString()) && e.getMessage().contains("300 ms"), e.getMessage());
            } finally {
                for (java.nio.channels.SocketChannel c : fillers) {
                    c.close();
                }
            }
        }
    }

    @Test
    void rejectsUrisThatAreNotTcpHostPort() throws Exception {
        try (NioTransport t = transport("nio-uri")) {
            for (String bad : List.of("ws://127.0.0.1:80/p2pvm", "tcp://127.0.0.1", "tcp://127.0.0.1:99999")) {
                Throwable e = failure(t.connect(URI.create(bad), OPTIONS));
                assertInstanceOf(IllegalArgumentException.class, e, bad);
                assertTrue(e.getMessage().contains(bad), e.getMessage());
                assertInstanceOf(IllegalArgumentException.class, failure(t.bind(URI.create(bad), OPTIONS, x -> { })));
            }
        }
    }

    @Test
    void opensTunnelsBothWaysAndMovesData() throws Exception {
        try (NioTransport server = transport("nio-srv"); NioTransport client = transport("nio-cli")) {
            List<String> onTunnelThreads = new ArrayList<>();
            TransportServer s = server.bind(ANY_PORT, OPTIONS, tunnel -> {
                onTunnelThreads.add(Thread.currentThread().getName());
                tunnel.install(ECHO_SERVER);
            }).get(10, SECONDS);
            Tunnel tunnel = client.connect(s.uri(), OPTIONS).get(10, SECONDS);
            assertTrue(tunnel.isOpen());
            assertTrue(tunnel.isDialer());
            assertEquals(s.localAddress(), tunnel.carrierRemoteAddress());
            echoRoundTrip(tunnel, 3 << 20);
            assertEquals(1, s.tunnels().size());
            assertTrue(onTunnelThreads.get(0).startsWith("nio-srv-"), onTunnelThreads.toString());
            CompletableFuture<String> executorThread = new CompletableFuture<>();
            tunnel.executor().execute(() -> executorThread.complete(Thread.currentThread().getName()));
            assertTrue(executorThread.get(10, SECONDS).startsWith("nio-cli-"));
        }
    }

    @Test
    void spreadsTunnelsOverTheSelectorThreads() throws Exception {
        try (NioTransport server = transport("nio-spread-s"); NioTransport client = transport("nio-spread-c")) {
            Set<String> serverThreads = ConcurrentHashMap.newKeySet();
            TransportServer s = server.bind(ANY_PORT, OPTIONS, tunnel -> {
                serverThreads.add(Thread.currentThread().getName());
                tunnel.install(ECHO_SERVER);
            }).get(10, SECONDS);
            List<CompletableFuture<Tunnel>> dials = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                dials.add(client.connect(s.uri(), OPTIONS));
            }
            for (CompletableFuture<Tunnel> d : dials) {
                echoRoundTrip(d.get(10, SECONDS), 1000);
            }
            assertEquals(8, s.tunnels().size());
            assertEquals(Set.of("nio-spread-s-1", "nio-spread-s-2"), serverThreads);
        }
    }

    @Test
    void wrongTokenFailsTheDialWithAHandshakeExceptionNamingThePeer() throws Exception {
        try (NioTransport server = transport("nio-auth-s"); NioTransport client = transport("nio-auth-c")) {
            List<Tunnel> accepted = new ArrayList<>();
            TransportServer s = server.bind(ANY_PORT, TunnelOptions.builder().authToken("right").build(),
                    accepted::add).get(10, SECONDS);
            Throwable e = failure(client.connect(s.uri(), TunnelOptions.builder().authToken("wrong").build()));
            assertInstanceOf(HandshakeException.class, e);
            assertEquals(ErrorCode.AUTH_FAILED, ((HandshakeException) e).errorCode());
            assertTrue(e.getMessage().contains(s.uri().toString()), e.getMessage());
            assertTrue(accepted.isEmpty(), "a failed handshake never reaches onTunnel");
        }
    }

    @Test
    void serverCloseSendsGoawayShutdownAndCompletesWhenItsTunnelsAreClosed() throws Exception {
        try (NioTransport server = transport("nio-sclose-s"); NioTransport client = transport("nio-sclose-c")) {
            TransportServer s = server.bind(ANY_PORT, OPTIONS, tunnel -> { }).get(10, SECONDS);
            Tunnel a = client.connect(s.uri(), OPTIONS).get(10, SECONDS);
            Tunnel b = client.connect(s.uri(), OPTIONS).get(10, SECONDS);
            s.closeAsync().get(20, SECONDS);
            assertTrue(s.tunnels().isEmpty());
            for (Tunnel t : List.of(a, b)) {
                CloseReason r = t.closeFuture().get(10, SECONDS);
                assertEquals(ErrorCode.SHUTDOWN, r.code(), r.toString());
                assertEquals(CloseReason.Origin.REMOTE, r.origin(), r.toString());
            }
            Throwable e = failure(client.connect(s.uri(), OPTIONS));
            assertInstanceOf(ConnectException.class, e, "the server no longer accepts");
        }
    }

    @Test
    void closingTheTransportClosesItsTunnelsGracefullyAndLeavesNoThread() throws Exception {
        try (NioTransport server = transport("nio-tclose-s")) {
            CompletableFuture<Tunnel> acceptedTunnel = new CompletableFuture<>();
            TransportServer s = server.bind(ANY_PORT, OPTIONS, acceptedTunnel::complete).get(10, SECONDS);
            NioTransport client = transport("nio-tclose-c");
            Tunnel dialled = client.connect(s.uri(), OPTIONS).get(10, SECONDS);
            assertEquals(2, threadsNamed("nio-tclose-c").size());

            client.close();
            assertEquals(Set.of(), threadsNamed("nio-tclose-c"), "no selector thread left behind");
            CloseReason local = dialled.closeFuture().getNow(null);
            assertEquals(ErrorCode.SHUTDOWN, local.code(), String.valueOf(local));
            assertEquals(CloseReason.Origin.LOCAL, local.origin());
            CloseReason remote = acceptedTunnel.get(10, SECONDS).closeFuture().get(10, SECONDS);
            assertEquals(ErrorCode.SHUTDOWN, remote.code(), remote.toString());
            assertEquals(CloseReason.Origin.REMOTE, remote.origin());

            assertInstanceOf(IllegalStateException.class, failure(client.connect(s.uri(), OPTIONS)));
            client.close(); // idempotent
        }
        assertEquals(Set.of(), threadsNamed("nio-tclose-s"));
    }

    @Test
    void closingAServerTransportClosesAcceptedTunnels() throws Exception {
        try (NioTransport client = transport("nio-sdown-c")) {
            NioTransport server = transport("nio-sdown-s");
            TransportServer s = server.bind(ANY_PORT, OPTIONS, tunnel -> { }).get(10, SECONDS);
            Tunnel dialled = client.connect(s.uri(), OPTIONS).get(10, SECONDS);
            server.close();
            assertEquals(Set.of(), threadsNamed("nio-sdown-s"));
            CloseReason r = dialled.closeFuture().get(10, SECONDS);
            assertEquals(ErrorCode.SHUTDOWN, r.code(), r.toString());
            assertFalse(dialled.isOpen());
            assertInstanceOf(ConnectException.class, failure(client.connect(s.uri(), OPTIONS)));
        }
    }

    @Test
    void shutdownWithoutTunnelsLeavesNoThread() throws Exception {
        NioTransport t = transport("nio-idle");
        t.bind(ANY_PORT, OPTIONS, tunnel -> { }).get(10, SECONDS);
        t.bind(URI.create("tcp://[::1]:0"), OPTIONS, tunnel -> { }).exceptionally(e -> null).get(10, SECONDS);
        failure(t.connect(new InetSocketAddress("127.0.0.1", 1), OPTIONS));
        assertEquals(2, threadsNamed("nio-idle").size());
        t.close();
        assertEquals(Set.of(), threadsNamed("nio-idle"));
    }
}
