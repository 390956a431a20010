package org.p2pvm.engine.memory;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.BindException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
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

/** The {@code memory} transport: registry, connect/bind, closing, properties. */
@Timeout(30)
class MemoryTransportTest {
    private static final TunnelOptions OPTIONS = TunnelOptions.builder().authToken("memory-test").build();
    private static final VmAddress ECHO = VmAddress.parse("[::99]:7");

    private final Transport transport = Transports.get("memory");

    @AfterEach
    void close() {
        transport.close();
    }

    private static URI unique() {
        return URI.create("memory:test-" + UUID.randomUUID());
    }

    @Test
    void serviceLoader_findsTheMemoryTransport() {
        assertTrue(Transports.names().contains("memory"), Transports.names().toString());
        assertInstanceOf(MemoryTransport.class, transport);
        assertEquals("memory", transport.name());
        assertTrue(Transports.provider("memory").description().contains("memory:NAME"));
    }

    @Test
    void connect_opensATunnelOnBothEnds_andStreamsFlow() throws Exception {
        URI name = unique();
        CompletableFuture<Tunnel> accepted = new CompletableFuture<>();
        TransportServer server = transport.bind(name, OPTIONS, t -> {
            t.install(VmServer.listen(ECHO, c -> c.setHandler(echo())));
            accepted.complete(t);
        }).get(10, SECONDS);
        assertEquals(name, server.uri());
        Tunnel dialer = transport.connect(name, OPTIONS).get(10, SECONDS);
        Tunnel acceptor = accepted.get(10, SECONDS);
        assertTrue(dialer.isDialer() && !acceptor.isDialer());
        assertTrue(server.tunnels().contains(acceptor));
        assertEquals(dialer.carrierLocalAddress(), acceptor.carrierRemoteAddress());

        VmConnection c = dialer.connect(ECHO).get(10, SECONDS);
        CompletableFuture<String> reply = new CompletableFuture<>();
        c.setHandler((conn, data) -> reply.complete(StandardCharsets.UTF_8.decode(data).toString()));
        c.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hello", reply.get(10, SECONDS));
        c.close(); // FIN; the echo answers with its own, so the transport's graceful close need not wait
        c.closeFuture().get(10, SECONDS);
    }

    @Test
    void killLinks_dropsEveryTunnelWithoutGoaway_andTheTransportStaysUsable() throws Exception {
        URI name = unique();
        CompletableFuture<Tunnel> accepted = new CompletableFuture<>();
        transport.bind(name, OPTIONS, accepted::complete).get(10, SECONDS);
        Tunnel dialer = transport.connect(name, OPTIONS).get(10, SECONDS);
        Tunnel acceptor = accepted.get(10, SECONDS);
        ((MemoryTransport) transport).killLinks();
        for (Tunnel t : new Tunnel[] {dialer, acceptor}) {
            org.p2pvm.CloseReason r = t.closeFuture().get(10, SECONDS);
            assertEquals(org.p2pvm.CloseReason.Origin.CARRIER, r.origin(), r.toString());
            assertTrue(!r.isGraceful(), r.toString());
        }
        Tunnel again = transport.connect(name, OPTIONS).get(10, SECONDS);
        assertTrue(again.isOpen());
        again.ping().get(10, SECONDS);
    }

    @Test
    void afterTheTransportStopped_callsOnItsTunnelsFailOrDoNothing_neverThrowRejectedExecution() throws Exception {
        URI name = unique();
        MemoryTransport own = new MemoryTransport(org.p2pvm.spi.TransportConfig.defaults());
        // the open stream would hold the graceful close for the whole drain timeout
        TunnelOptions quick = OPTIONS.toBuilder().drainTimeout(Duration.ofMillis(50)).build();
        CompletableFuture<VmConnection> accepted = new CompletableFuture<>();
        own.bind(name, quick, t -> t.install(VmServer.listen(ECHO, accepted::complete))).get(10, SECONDS);
        Tunnel dialer = own.connect(name, quick).get(10, SECONDS);
        dialer.awaitRemoteListen(ECHO).get(10, SECONDS);
        VmConnection c = dialer.connect(ECHO).get(10, SECONDS);
        accepted.get(10, SECONDS);
        own.close(); // its threads are gone after this

        ExecutionException write = assertThrows(ExecutionException.class,
                () -> c.write(java.nio.ByteBuffer.wrap(new byte[] {1})).get(10, SECONDS));
        assertInstanceOf(org.p2pvm.TunnelClosedException.class, write.getCause());
        assertInstanceOf(org.p2pvm.TunnelClosedException.class, assertThrows(ExecutionException.class,
                () -> c.shutdownOutput().get(10, SECONDS)).getCause());
        assertInstanceOf(org.p2pvm.TunnelClosedException.class, assertThrows(ExecutionException.class,
                () -> dialer.ping().get(10, SECONDS)).getCause());
        assertInstanceOf(org.p2pvm.TunnelClosedException.class, assertThrows(ExecutionException.class,
                () -> dialer.connect(ECHO).get(10, SECONDS)).getCause());
        c.consume(1);
        c.pauseReading();
        c.resumeReading();
        c.reset(ErrorCode.CANCELLED);
        c.close();
        dialer.close();
        assertTrue(!dialer.isOpen());
    }

    @Test
    void bind_aNameTaken_failsSayingSo() throws Exception {
        URI name = unique();
        transport.bind(name, OPTIONS, t -> { }).get(10, SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> transport.bind(name, OPTIONS, t -> { }).get(10, SECONDS));
        assertInstanceOf(BindException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("already bound"), e.getCause().getMessage());
    }

    @Test
    void connect_unknownName_failsWithConnectExceptionNamingIt() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> transport.connect(URI.create("memory:nobody-here"), OPTIONS).get(10, SECONDS));
        assertInstanceOf(ConnectException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("memory:nobody-here"), e.getCause().getMessage());
    }

    @Test
    void badUris_areRejectedWithTheExpectedForm() {
        for (String bad : new String[] {"tcp://127.0.0.1:1", "memory://host/x", "other:x"}) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> transport.connect(URI.create(bad), OPTIONS).get(10, SECONDS), bad);
            assertInstanceOf(IllegalArgumentException.class, e.getCause(), bad);
            assertTrue(e.getCause().getMessage().contains("memory:NAME"), e.getCause().getMessage());
        }
    }

    @Test
    void failedHandshake_failsTheDialer_andNeverReachesOnTunnel() throws Exception {
        URI name = unique();
        CompletableFuture<Tunnel> accepted = new CompletableFuture<>();
        TransportServer server = transport.bind(name, OPTIONS, accepted::complete).get(10, SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> transport.connect(name,
                OPTIONS.toBuilder().authToken("wrong").build()).get(10, SECONDS));
        assertInstanceOf(HandshakeException.class, e.getCause());
        assertEquals(ErrorCode.AUTH_FAILED, ((HandshakeException) e.getCause()).errorCode());
        assertTrue(server.tunnels().isEmpty());
        assertTrue(!accepted.isDone());
    }

    @Test
    void maxPendingHandshakes_refusesTheCarrierBeyond_andAdmitsOnceASlotIsFree() throws Exception {
        URI name = unique();
        // the held carriers must not time out while the test runs: ten minutes
        TunnelOptions server = OPTIONS.toBuilder().maxPendingHandshakes(2).handshakeTimeout(Duration.ofMinutes(10))
                .build();
        MemoryServer bound = (MemoryServer) transport.bind(name, server, t ->
                t.install(VmServer.listen(ECHO, c -> c.setHandler(echo())))).get(10, SECONDS);
        // raw links through the server's accept path (the one connect takes) whose dialer end never speaks
        MemoryLink[] held = new MemoryLink[2];
        RecordingListener[] silent = new RecordingListener[2];
        try {
            for (int i = 0; i < held.length; i++) {
                held[i] = MemoryCarrier.pair(MemoryLink.Settings.defaults());
                silent[i] = new RecordingListener(held[i].dialer()).expect(1);
                held[i].dialer().setListener(silent[i]);
                bound.accept(held[i]);
                // its HELLO arrived: the server has started it, so it holds a slot before the next arrives
                silent[i].received.get(10, SECONDS);
            }
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> transport.connect(name, OPTIONS).get(10, SECONDS));
            HandshakeException h = assertInstanceOf(HandshakeException.class, e.getCause());
            assertEquals(ErrorCode.LIMIT_EXCEEDED, h.errorCode(), h.toString());
            assertEquals(CloseReason.Origin.REMOTE, h.reason().origin());

            // a PING before the handshake is a PROTOCOL_ERROR (§4): the server closes that carrier,
            // leaving the backlog before it closes, so the EOF here means the slot is free
            byte[] ping = {0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            assertNull(MemoryCarrierTest.write(held[0].dialer(), ping).get(10, SECONDS));
            silent[0].closed.get(10, SECONDS);

            Tunnel dialer = transport.connect(name, OPTIONS).get(10, SECONDS);
            VmConnection c = dialer.connect(ECHO).get(10, SECONDS);
            CompletableFuture<String> reply = new CompletableFuture<>();
            c.setHandler((conn, data) -> reply.complete(StandardCharsets.UTF_8.decode(data).toString()));
            c.write(ByteBuffer.wrap("admitted".getBytes(StandardCharsets.UTF_8)));
            assertEquals("admitted", reply.get(10, SECONDS));
            assertEquals(0, silent[1].closedCalls.get(), "the other held carrier is still in the handshake");
        } finally {
            for (MemoryLink link : held) {
                if (link != null) {
                    link.kill();
                }
            }
        }
    }

    @Test
    void serverCloseAsync_unregisters_andClosesItsTunnelsGracefully() throws Exception {
        URI name = unique();
        TransportServer server = transport.bind(name, OPTIONS, t -> { }).get(10, SECONDS);
        Tunnel dialer = transport.connect(name, OPTIONS).get(10, SECONDS);
        server.closeAsync().get(10, SECONDS);
        CloseReason r = dialer.closeFuture().get(10, SECONDS);
        assertEquals(ErrorCode.SHUTDOWN, r.code(), r.toString());
        assertEquals(CloseReason.Origin.REMOTE, r.origin(), r.toString());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> transport.connect(name, OPTIONS).get(10, SECONDS));
        assertInstanceOf(ConnectException.class, e.getCause());
        transport.bind(name, OPTIONS, t -> { }).get(10, SECONDS); // the name is free again
    }

    @Test
    void transportClose_closesServersAndTunnels_thenRefusesWork() throws Exception {
        Transport other = Transports.get("memory");
        URI name = unique();
        other.bind(name, OPTIONS, t -> { }).get(10, SECONDS);
        Tunnel dialer = transport.connect(name, OPTIONS).get(10, SECONDS);
        other.close();
        assertEquals(ErrorCode.SHUTDOWN, dialer.closeFuture().get(10, SECONDS).code());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> other.connect(name, OPTIONS).get(10, SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    @Test
    void properties_configureTheLinks_andBadValuesNameTheProperty() {
        MemoryTransport t = (MemoryTransport) Transports.get("memory", TransportConfig.builder()
                .property("memory.maxChunk", "3").property("memory.bufferLimit", "1000").build());
        try {
            assertEquals(3, t.settings().maxChunk());
            assertEquals(1000, t.settings().bufferLimit());
        } finally {
            t.close();
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transports.get("memory",
                TransportConfig.builder().property("memory.bufferLimit", "0").build()));
        assertTrue(e.getMessage().contains("bufferLimit"), e.getMessage());
    }

    @Test
    void oneWayDelay_pingTakesAtLeastTwiceTheDelay() throws Exception {
        Transport slow = Transports.get("memory", TransportConfig.builder()
                .property("memory.oneWayDelayMillis", "25").property("memory.maxChunk", "100").build());
        try {
            URI name = unique();
            transport.bind(name, OPTIONS, t -> { }).get(10, SECONDS);
            Tunnel dialer = slow.connect(name, OPTIONS).get(10, SECONDS);
            Duration rtt = dialer.ping().get(10, SECONDS);
            assertTrue(rtt.compareTo(Duration.ofMillis(50)) >= 0, "rtt " + rtt);
        } finally {
            slow.close();
        }
    }

    private static VmConnection.Handler echo() {
        return new VmConnection.Handler() {
            @Override
            public void onData(VmConnection connection, ByteBuffer data) {
                byte[] copy = new byte[data.remaining()];
                data.get(copy);
                connection.write(ByteBuffer.wrap(copy));
            }

            @Override
            public void onInputShutdown(VmConnection connection) {
                connection.shutdownOutput();
            }
        };
    }
}
