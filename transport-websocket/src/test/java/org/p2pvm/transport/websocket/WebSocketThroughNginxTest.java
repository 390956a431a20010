package org.p2pvm.transport.websocket;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;

/** Tunnels through a real nginx reverse proxy on loopback (skipped with a message when nginx is absent). */
@Timeout(120)
class WebSocketThroughNginxTest {
    private static NginxProcess nginx;
    private final TunnelOptions options = TunnelOptions.builder().authToken("through-nginx").build();

    @BeforeAll
    static void startNginx() throws Exception {
        nginx = NginxProcess.binary().isPresent() ? NginxProcess.start() : null;
    }

    /** Per test, so a run without nginx reports every test as skipped, with the reason. */
    @BeforeEach
    void requireNginx() {
        NginxProcess.assumeInstalled();
    }

    @AfterAll
    static void stopNginx() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void echoThroughNginx() throws Exception {
        try (WebSocketTransport server = new WebSocketTransport(TransportConfig.builder().ioThreads(1).build());
                WebSocketTransport client = new WebSocketTransport(TransportConfig.builder().ioThreads(1).build())) {
            TransportServer bound = server.bind(URI.create("ws://127.0.0.1:0/p2pvm"), options,
                    t -> t.install(Echo.server())).get(30, SECONDS);
            Tunnel tunnel = client.connect(nginx.front(bound.uri()), options).get(30, SECONDS);
            Echo.roundTrip(tunnel, 5 * 1024 * 1024 + 3);
            tunnel.close();
            CloseReason reason = tunnel.closeFuture().get(30, SECONDS);
            assertEquals(ErrorCode.NO_ERROR, reason.code(), reason.toString());
        }
    }

    @Test
    void originRejectionPassesThroughNginx() throws Exception {
        try (WebSocketTransport server = new WebSocketTransport(TransportConfig.builder().ioThreads(1)
                        .property("websocket.allowedOrigins", "https://good.example").build());
                WebSocketTransport client = new WebSocketTransport(TransportConfig.builder()
                        .property("websocket.header.Origin", "https://evil.example").build())) {
            TransportServer bound = server.bind(URI.create("ws://127.0.0.1:0/p2pvm"), options, null).get(30, SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.connect(nginx.front(bound.uri()), options).get(30, SECONDS));
            assertInstanceOf(IOException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("403"), e.getCause().getMessage());
        }
    }

    /**
     * A slow reader in the middle (nginx frozen with SIGSTOP, so nothing reads the sender's socket):
     * the sender's carrier holds at most one batch, and the stream queue stays at its high water mark;
     * once nginx runs again every byte arrives. Memory is measured with the carriers' in-flight
     * counter, not by timing.
     */
    @Test
    void slowReaderBehindNginxBoundsTheSendersMemory() throws Exception {
        int batch = 256 * 1024;
        TunnelOptions big = options.toBuilder().maxBatchBytes(batch).initialStreamWindow(16 * 1024 * 1024).build();
        long total = 48L * 1024 * 1024;
        java.util.concurrent.CompletableFuture<Long> received = new java.util.concurrent.CompletableFuture<>();
        org.p2pvm.VmServer sink = org.p2pvm.VmServer.listen(Echo.ADDRESS, conn -> conn.setHandler(new org.p2pvm.VmConnection.Handler() {
            long count;

            @Override
            public void onData(org.p2pvm.VmConnection c, java.nio.ByteBuffer data) {
                count += data.remaining();
                data.position(data.limit());
            }

            @Override
            public void onInputShutdown(org.p2pvm.VmConnection c) {
                received.complete(count);
                c.shutdownOutput();
            }
        }));
        try (WebSocketTransport server = new WebSocketTransport(TransportConfig.builder().ioThreads(1).build());
                WebSocketTransport client = new WebSocketTransport(TransportConfig.builder().ioThreads(1).build())) {
            TransportServer bound = server.bind(URI.create("ws://127.0.0.1:0/p2pvm"), big, t -> t.install(sink))
                    .get(30, SECONDS);
            Tunnel tunnel = client.connect(nginx.front(bound.uri()), big).get(30, SECONDS);
            tunnel.awaitRemoteListen(Echo.ADDRESS).get(30, SECONDS);
            org.p2pvm.VmConnection c = tunnel.connect(Echo.ADDRESS).get(30, SECONDS);
            nginx.freeze();
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try (java.io.OutputStream out = c.outputStream()) {
                    for (long sent = 0; sent < total; sent += chunk.length) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, "nginx-slow-writer");
            writer.setDaemon(true);
            writer.start();
            WriteGaugeProbe.awaitStuck(client.writeGauge(), writer);
            long queued = c.pendingWriteBytes();
            long carrierHigh = client.writeGauge().highWaterBytes();
            nginx.thaw();
            assertTrue(carrierHigh <= batch, "the carrier held " + carrierHigh + " bytes, more than one batch");
            assertTrue(queued <= big.streamWriteHighWaterMark() + 64 * 1024,
                    "the stream queued " + queued + " bytes beyond its high water mark");
            assertTrue(client.writeGauge().completedBytes() < total / 2,
                    "the sender pushed " + client.writeGauge().completedBytes() + " bytes past a frozen proxy");
            writer.join(60_000);
            assertEquals(total, received.get(60, SECONDS));
            assertTrue(client.writeGauge().highWaterBytes() <= batch);
        }
    }
}
