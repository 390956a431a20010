package org.p2pvm.transport.websocket;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/** The websocket transport end to end on loopback: URIs, handshake extras, endpoint handler, shutdown. */
@Timeout(120)
class WebSocketTransportTest {
    private final TunnelOptions options = TunnelOptions.builder().authToken("secret").build();
    private final List<AutoCloseable> cleanup = new java.util.ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    private Transport transport(TransportConfig config) {
        Transport t = new WebSocketTransport(config);
        cleanup.add(t);
        return t;
    }

    private Transport transport() {
        return transport(TransportConfig.builder().ioThreads(1).build());
    }

    private TransportServer echoServer(Transport t, String bindUri) throws Exception {
        return t.bind(URI.create(bindUri), options, tunnel -> tunnel.install(Echo.server())).get(30, SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, SECONDS));
        return e.getCause();
    }

    @Test
    void registeredAsWebsocket() {
        Transport t = Transports.get("websocket");
        cleanup.add(t);
        assertInstanceOf(WebSocketTransport.class, t);
        assertEquals("websocket", t.name());
    }

    @Test
    void tcpShorthandMeansWsWithDefaultPath() throws Exception {
        TransportServer server = echoServer(transport(), "tcp://127.0.0.1:0");
        int port = server.localAddress().getPort();
        assertEquals(URI.create("ws://127.0.0.1:" + port + "/p2pvm"), server.uri());
        Tunnel tunnel = transport().connect(new InetSocketAddress("127.0.0.1", port), options).get(30, SECONDS);
        Echo.roundTrip(tunnel, 3 * 1024 * 1024 + 11);
        assertTrue(tunnel.isDialer());
        assertEquals(1, server.tunnels().size());
    }

    @Test
    void customPathAndWrongPath() throws Exception {
        TransportServer server = echoServer(transport(), "ws://127.0.0.1:0/tunnels/v1");
        assertTrue(server.uri().getPath().equals("/tunnels/v1"), server.uri().toString());
        Tunnel tunnel = transport().connect(server.uri(), options).get(30, SECONDS);
        Echo.roundTrip(tunnel, 1000);
        URI wrong = URI.create("ws://127.0.0.1:" + server.localAddress().getPort() + "/p2pvm");
        Throwable e = failure(transport().connect(wrong, options));
        assertInstanceOf(IOException.class, e);
        assertTrue(e.getMessage().contains("404"), e.getMessage());
    }

    @Test
    void wrongTokenFailsTheHandshakeNotTheServer() throws Exception {
        TransportServer server = echoServer(transport(), "ws://127.0.0.1:0/p2pvm");
        Throwable e = failure(transport().connect(server.uri(), TunnelOptions.builder().authToken("wrong").build()));
        assertInstanceOf(org.p2pvm.HandshakeException.class, e);
        assertEquals(ErrorCode.AUTH_FAILED, ((org.p2pvm.HandshakeException) e).errorCode());
        Tunnel ok = transport().connect(server.uri(), options).get(30, SECONDS);
        Echo.roundTrip(ok, 100);
    }

    @Test
    void originCheck() throws Exception {
        Transport serverTransport = transport(TransportConfig.builder().ioThreads(1)
                .property("websocket.allowedOrigins", "https://good.example, https://other.example/").build());
        TransportServer server = echoServer(serverTransport, "ws://127.0.0.1:0/p2pvm");
        Transport evil = transport(TransportConfig.builder().property("websocket.header.Origin", "https://evil.example").build());
        Throwable e = failure(evil.connect(server.uri(), options));
        assertTrue(e.getMessage().contains("403"), e.getMessage());
        assertInstanceOf(WebSocketHandshakeException.class, e.getCause());

        Transport good = transport(TransportConfig.builder().property("websocket.header.Origin", "https://GOOD.example").build());
        Echo.roundTrip(good.connect(server.uri(), options).get(30, SECONDS), 100);
        // no Origin: not a browser, nothing to protect against
        Echo.roundTrip(transport().connect(server.uri(), options).get(30, SECONDS), 100);
    }

    @Test
    void clientRefusesAServerThatDoesNotSelectTheSubprotocol() throws Exception {
        Undertow plain = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1).setWorkerThreads(1)
                .setHandler(Handlers.websocket((exchange, channel) -> channel.resumeReceives())).build();
        plain.start();
        cleanup.add(plain::stop);
        int port = ((InetSocketAddress) plain.getListenerInfo().get(0).getAddress()).getPort();
        Throwable e = failure(transport().connect(URI.create("ws://127.0.0.1:" + port + "/p2pvm"), options));
        assertInstanceOf(IOException.class, e);
        assertTrue(e.getMessage().contains("did not select subprotocol p2pvm.v1"), e.getMessage());
    }

    @Test
    void serverRefusesAClientWithoutTheSubprotocol() throws Exception {
        TransportServer server = echoServer(transport(), "ws://127.0.0.1:0/p2pvm");
        HttpClient http = HttpClient.newHttpClient();
        CompletableFuture<WebSocket> ws = http.newWebSocketBuilder().subprotocols("chat")
                .buildAsync(server.uri(), new WebSocket.Listener() { });
        Throwable e = failure(ws);
        assertEquals(400, assertInstanceOf(WebSocketHandshakeException.class, e).getResponse().statusCode());
        CompletableFuture<WebSocket> none = http.newWebSocketBuilder().buildAsync(server.uri(), new WebSocket.Listener() { });
        assertEquals(400, assertInstanceOf(WebSocketHandshakeException.class, failure(none)).getResponse().statusCode());
    }

    /** A text message closes with 1003, after a GOAWAY PROTOCOL_ERROR from the engine in the byte stream. */
    @Test
    void textMessageIsAProtocolError() throws Exception {
        TransportServer server = echoServer(transport(), "ws://127.0.0.1:0/p2pvm");
        CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols(P2pvmWebSocketHandler.SUBPROTOCOL)
                .buildAsync(server.uri(), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
                        synchronized (stream) {
                            while (data.hasRemaining()) {
                                stream.write(data.get());
                            }
                        }
                        w.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
                        closeCode.complete(statusCode);
                        return null;
                    }
                }).get(30, SECONDS);
        ws.sendText("GET / HTTP/1.1", true).get(30, SECONDS);
        assertEquals(WebSocketCloseCodes.UNSUPPORTED_DATA, closeCode.get(30, SECONDS));
        byte[] bytes;
        synchronized (stream) {
            bytes = stream.toByteArray();
        }
        // the stream is HELLO then GOAWAY(PROTOCOL_ERROR): find the GOAWAY frame header
        int helloLength = ((bytes[0] & 0xFF) << 16) | ((bytes[1] & 0xFF) << 8) | (bytes[2] & 0xFF);
        int at = 9 + helloLength;
        assertEquals(0x3, bytes[at + 3], "GOAWAY after HELLO");
        int code = ByteBuffer.wrap(bytes, at + 9, 4).getInt();
        assertEquals(ErrorCode.PROTOCOL_ERROR.code(), code);
    }

    /**
     * PROTOCOL.md §10 accept backlog through the endpoint handler: with maxPendingHandshakes 2, two
     * upgraded WebSockets that never send HELLO hold both slots, the next tunnel is refused with
     * LIMIT_EXCEEDED, and once one slot is free a well-behaved tunnel works.
     */
    @Test
    void maxPendingHandshakes_refusesTheCarrierBeyond_andAdmitsOnceASlotIsFree() throws Exception {
        // the held carriers must not time out while the test runs: ten minutes
        TunnelOptions serverOptions = options.toBuilder().maxPendingHandshakes(2)
                .handshakeTimeout(java.time.Duration.ofMinutes(10)).build();
        TransportServer server = transport().bind(URI.create("ws://127.0.0.1:0/p2pvm"), serverOptions,
                tunnel -> tunnel.install(Echo.server())).get(30, SECONDS);
        HttpClient http = HttpClient.newHttpClient();
        SilentClient[] held = new SilentClient[2];
        try {
            for (int i = 0; i < held.length; i++) {
                held[i] = new SilentClient();
                http.newWebSocketBuilder().subprotocols(P2pvmWebSocketHandler.SUBPROTOCOL)
                        .buildAsync(server.uri(), held[i]).get(30, SECONDS);
                // its HELLO arrived: the server has started it, so it holds a slot before the next arrives
                held[i].firstBytes.get(30, SECONDS);
            }
            Throwable e = failure(transport().connect(server.uri(), options));
            org.p2pvm.HandshakeException h = assertInstanceOf(org.p2pvm.HandshakeException.class, e);
            assertEquals(ErrorCode.LIMIT_EXCEEDED, h.errorCode(), h.toString());
            assertEquals(CloseReason.Origin.REMOTE, h.reason().origin());

            // a PING before the handshake is a PROTOCOL_ERROR (§4): the server closes that carrier,
            // leaving the backlog before it closes, so the close seen here means the slot is free
            byte[] ping = {0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            held[0].socket.sendBinary(ByteBuffer.wrap(ping), true).get(30, SECONDS);
            held[0].closed.get(30, SECONDS);

            Tunnel ok = transport().connect(server.uri(), options).get(30, SECONDS);
            Echo.roundTrip(ok, 1000);
            assertTrue(!held[1].closed.isDone(), "the other held carrier is still in the handshake");
        } finally {
            for (SilentClient c : held) {
                if (c != null && c.socket != null) {
                    c.socket.abort();
                }
            }
        }
    }

    /** A raw WebSocket client that upgrades with the p2pvm subprotocol and never sends HELLO. */
    private static final class SilentClient implements WebSocket.Listener {
        final CompletableFuture<Void> firstBytes = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        volatile WebSocket socket;

        @Override
        public void onOpen(WebSocket w) {
            socket = w;
            w.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            firstBytes.complete(null);
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed.completeExceptionally(error);
        }
    }

    @Test
    void customHeadersReachTheServerAndHandlerMountsNextToOtherRoutes() throws Exception {
        CompletableFuture<String> authorization = new CompletableFuture<>();
        CompletableFuture<Tunnel> accepted = new CompletableFuture<>();
        P2pvmWebSocketHandler p2pvm = P2pvmWebSocketHandler.builder(options, t -> {
            t.install(Echo.server());
            accepted.complete(t);
        }).build();
        Undertow app = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(1).setWorkerThreads(1)
                .setHandler(Handlers.path()
                        .addExactPath("/hello", exchange -> exchange.getResponseSender().send("hi"))
                        .addExactPath("/p2pvm", exchange -> {
                            if ("websocket".equalsIgnoreCase(exchange.getRequestHeaders().getFirst(Headers.UPGRADE))) {
                                authorization.complete(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
                            }
                            p2pvm.handleRequest(exchange);
                        }))
                .build();
        app.start();
        cleanup.add(app::stop);
        cleanup.add(() -> p2pvm.closeAsync().get(30, SECONDS));
        int port = ((InetSocketAddress) app.getListenerInfo().get(0).getAddress()).getPort();

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> hello = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, hello.statusCode());
        assertEquals("hi", hello.body());
        HttpResponse<String> plain = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/p2pvm")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(426, plain.statusCode());

        Transport client = transport(TransportConfig.builder().property("websocket.header.Authorization", "Bearer x").build());
        Tunnel tunnel = client.connect(URI.create("ws://127.0.0.1:" + port + "/p2pvm"), options).get(30, SECONDS);
        assertEquals("Bearer x", authorization.get(30, SECONDS));
        Echo.roundTrip(tunnel, 100_000);
        accepted.get(30, SECONDS);
        assertEquals(1, p2pvm.tunnels().size());

        // closing the handler closes its tunnels with SHUTDOWN; the client hears it in the GOAWAY
        p2pvm.closeAsync().get(30, SECONDS);
        CloseReason reason = tunnel.closeFuture().get(30, SECONDS);
        assertEquals(ErrorCode.SHUTDOWN, reason.code());
        assertEquals(CloseReason.Origin.REMOTE, reason.origin());
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/p2pvm")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(503, refused.statusCode());
    }

    @Test
    void transportCloseShutsTunnelsDown() throws Exception {
        Transport serverTransport = transport();
        TransportServer server = echoServer(serverTransport, "ws://127.0.0.1:0/p2pvm");
        Transport client = transport();
        Tunnel tunnel = client.connect(server.uri(), options).get(30, SECONDS);
        Echo.roundTrip(tunnel, 10);
        serverTransport.close();
        CloseReason reason = tunnel.closeFuture().get(30, SECONDS);
        assertEquals(ErrorCode.SHUTDOWN, reason.code());
        Throwable e = failure(client.connect(server.uri(), options));
        assertInstanceOf(IOException.class, e);
    }

    @Test
    void badUrisAndSettingsFailClearly() throws Exception {
        Transport t = transport();
        Throwable wss = failure(t.bind(URI.create("wss://127.0.0.1:0/p2pvm"), options, null));
        assertTrue(wss.getMessage().contains("TLS settings required"), wss.getMessage());
        Throwable http = failure(t.connect(URI.create("http://127.0.0.1:1/p2pvm"), options));
        assertTrue(http.getMessage().contains("ws://HOST:PORT/PATH"), http.getMessage());
        Throwable noPort = failure(t.connect(URI.create("tcp://127.0.0.1"), options));
        assertTrue(noPort.getMessage().contains("no port"), noPort.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> new WebSocketTransport(TransportConfig.builder().property("websocket.maxMessageByte", "1").build()));
        assertTrue(unknown.getMessage().contains("websocket.maxMessageByte"), unknown.getMessage());
        Throwable restricted = failure(transport(TransportConfig.builder().property("websocket.header.Upgrade", "x").build())
                .connect(URI.create("ws://127.0.0.1:1/p2pvm"), options));
        assertInstanceOf(IllegalArgumentException.class, restricted);
        Throwable refused = failure(t.connect(URI.create("ws://127.0.0.1:1/p2pvm"), options));
        assertInstanceOf(IOException.class, refused);
        assertTrue(refused.getMessage().contains("ws://127.0.0.1:1/p2pvm"), refused.getMessage());
    }

    @Test
    void bindConflictNamesTheAddress() throws Exception {
        TransportServer first = echoServer(transport(), "ws://127.0.0.1:0/p2pvm");
        Throwable e = failure(transport().bind(first.uri(), options, null));
        assertInstanceOf(IOException.class, e);
        assertTrue(e.getMessage().contains(first.uri().toString()), e.getMessage());
    }
}
