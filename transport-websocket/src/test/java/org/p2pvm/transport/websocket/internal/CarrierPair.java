package org.p2pvm.transport.websocket.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.p2pvm.transport.websocket.P2pvmWebSocketHandler;

/**
 * A real loopback WebSocket between an {@link UndertowCarrier} (server) and a
 * {@link JdkClientCarrier} (client), each wired to a {@link RecordingListener} instead of the engine.
 */
final class CarrierPair implements AutoCloseable {
    final WriteGauge serverGauge = new WriteGauge();
    final WriteGauge clientGauge = new WriteGauge();
    final CompletableFuture<RecordingListener> server = new CompletableFuture<>();
    final CompletableFuture<RecordingListener> client = new CompletableFuture<>();
    final RawServer raw;
    final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "test-ws-client");
        t.setDaemon(true);
        return t;
    });
    UndertowCarrier serverCarrier;
    JdkClientCarrier clientCarrier;

    CarrierPair(long serverMaxMessage, long clientMaxMessage) throws Exception {
        raw = new RawServer(Set.of(P2pvmWebSocketHandler.SUBPROTOCOL), (exchange, channel) -> {
            UndertowCarrier c = new UndertowCarrier(channel, serverGauge, serverMaxMessage, Duration.ofSeconds(5));
            serverCarrier = c;
            RecordingListener l = new RecordingListener(c);
            c.start(l);
            server.complete(l);
        });
        HttpClient http = HttpClient.newBuilder().executor(pool).build();
        URI uri = raw.uri();
        JdkClientCarrier c = new JdkClientCarrier(pool, WsEndpoint.parse(uri), clientGauge, clientMaxMessage,
                Duration.ofSeconds(5), carrier -> {
                    RecordingListener l = new RecordingListener(carrier);
                    carrier.start(l);
                    client.complete(l);
                });
        clientCarrier = c;
        http.newWebSocketBuilder().subprotocols(P2pvmWebSocketHandler.SUBPROTOCOL).buildAsync(uri, c)
                .get(10, TimeUnit.SECONDS);
        client.get(10, TimeUnit.SECONDS);
        server.get(10, TimeUnit.SECONDS);
    }

    RecordingListener server() {
        return server.join();
    }

    RecordingListener client() {
        return client.join();
    }

    @Override
    public void close() {
        raw.close();
        pool.shutdownNow();
    }
}
