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
        nginx = NginxProcess.start();
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
}
