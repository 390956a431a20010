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
 * A real loopback WebSocket between a server carrier ({@link FrameCodecCarrier}, or
 * {@link UndertowCarrier} on Undertow's WebSocket channel) and a {@link JdkClientCarrier} (client),
 * each wired to a {@link RecordingListener} instead of the engine.
 */
final class CarrierPair implements AutoCloseable {
    final WriteGauge serverGauge = new WriteGauge();
    final WriteGauge clientGauge = new WriteGauge();
    final CompletableFuture<RecordingListener> server = new CompletableFuture<>();
    final CompletableFuture<RecordingListener> client = new CompletableFuture<>();
    final AutoCloseable raw;
    final ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "test-ws-client");
        t.setDaemon(true);
        return t;
    });
    AbstractWsCarrier serverCarrier;
    JdkClientCarrier clientCarrier;

    /** A pair with p2pvm's frame codec on the server. */
    CarrierPair(long serverMaxMessage, long clientMaxMessage) throws Exception {
        this(serverMaxMessage, clientMaxMessage, false);
    }

    /** @param undertowFrames whether the server uses Undertow's WebSocket channel ({@link UndertowCarrier}) */
    CarrierPair(long serverMaxMessage, long clientMaxMessage, boolean undertowFrames) throws Exception {
        URI uri;
        if (undertowFrames) {
            RawServer r = new RawServer(Set.of(P2pvmWebSocketHandler.SUBPROTOCOL), (exchange, channel) ->
                    started(new UndertowCarrier(channel, serverGauge, serverMaxMessage, Duration.ofSeconds(5))));
            raw = r;
            uri = r.uri();
        } else {
            CodecServer r = new CodecServer((connection, bufferPool) -> started(new FrameCodecCarrier(connection,
                    bufferPool, serverGauge, serverMaxMessage, Duration.ofSeconds(5))));
            raw = r;
            uri = r.uri();
        }
        HttpClient http = HttpClient.newBuilder().executor(pool).build();
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

    private void started(AbstractWsCarrier c) {
        serverCarrier = c;
        RecordingListener l = new RecordingListener(c);
        c.start(l);
        server.complete(l);
    }

    RecordingListener server() {
        return server.join();
    }

    RecordingListener client() {
        return client.join();
    }

    @Override
    public void close() throws Exception {
        raw.close();
        pool.shutdownNow();
    }
}
