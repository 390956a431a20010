package org.p2pvm.transport.websocket.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.undertow.Handlers;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.transport.websocket.P2pvmWebSocketHandler;

/**
 * A text message on an open tunnel: the receiving end fails the tunnel with PROTOCOL_ERROR (its own
 * close reason) and tells the peer in a GOAWAY, so both ends name the same cause.
 */
@Timeout(120)
class TextMessageOnOpenTunnelTest {
    @Test
    void textFailsBothEndsWithProtocolError() throws Exception {
        TunnelOptions options = TunnelOptions.builder().authToken("t").build();
        CompletableFuture<Tunnel> serverTunnel = new CompletableFuture<>();
        P2pvmWebSocketHandler handler = P2pvmWebSocketHandler.builder(options, serverTunnel::complete).build();
        Undertow undertow = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1).setWorkerThreads(1)
                .setHandler(Handlers.path().addExactPath("/p2pvm", handler)).build();
        undertow.start();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            int port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
            URI uri = URI.create("ws://127.0.0.1:" + port + "/p2pvm");
            CompletableFuture<Tunnel> clientTunnel = new CompletableFuture<>();
            JdkClientCarrier carrier = new JdkClientCarrier(pool, WsEndpoint.parse(uri), new WriteGauge(),
                    WsSettings.defaultMaxMessageBytes(options), Duration.ofSeconds(5), c -> {
                        TunnelEngine.TunnelSession session = TunnelEngine.open(c, options, null);
                        c.start(session);
                        session.handshake().whenComplete((t, e) -> {
                            if (e != null) {
                                clientTunnel.completeExceptionally(e);
                            } else {
                                clientTunnel.complete(t);
                            }
                        });
                    });
            HttpClient.newBuilder().executor(pool).build().newWebSocketBuilder()
                    .subprotocols(P2pvmWebSocketHandler.SUBPROTOCOL).buildAsync(uri, carrier).get(30, SECONDS);
            Tunnel client = clientTunnel.get(30, SECONDS);
            Tunnel server = serverTunnel.get(30, SECONDS);

            carrier.webSocket().sendText("not binary", true).get(30, SECONDS);

            CloseReason atServer = server.closeFuture().get(30, SECONDS);
            assertEquals(ErrorCode.PROTOCOL_ERROR, atServer.code(), atServer.toString());
            assertEquals(CloseReason.Origin.LOCAL, atServer.origin());
            CloseReason atClient = client.closeFuture().get(30, SECONDS);
            assertEquals(ErrorCode.PROTOCOL_ERROR, atClient.code(), atClient.toString());
            assertEquals(CloseReason.Origin.REMOTE, atClient.origin());
        } finally {
            handler.closeAsync().get(30, SECONDS);
            undertow.stop();
            pool.shutdownNow();
        }
    }
}
