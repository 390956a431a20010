package org.p2pvm.transport.websocket.internal;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.websockets.WebSocketConnectionCallback;
import io.undertow.websockets.WebSocketProtocolHandshakeHandler;
import io.undertow.websockets.core.protocol.version13.Hybi13Handshake;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Set;

/** A bare Undertow WebSocket server on loopback for carrier tests; the test decides what a connection does. */
final class RawServer implements AutoCloseable {
    final Undertow undertow;
    final int port;

    RawServer(Set<String> subprotocols, WebSocketConnectionCallback callback) {
        WebSocketProtocolHandshakeHandler ws = new WebSocketProtocolHandshakeHandler(
                List.of(new Hybi13Handshake(subprotocols, false)), callback);
        undertow = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(1)
                .setHandler(Handlers.path(ResponseCodeHandler.HANDLE_404).addExactPath("/p2pvm", ws))
                .build();
        undertow.start();
        port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    URI uri() {
        return URI.create("ws://127.0.0.1:" + port + "/p2pvm");
    }

    @Override
    public void close() {
        undertow.stop();
    }
}
