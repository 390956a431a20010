package org.p2pvm.transport.websocket.internal;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.handlers.ResponseCodeHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.function.BiConsumer;
import org.p2pvm.transport.websocket.P2pvmWebSocketHandler;
import org.xnio.StreamConnection;

/**
 * A bare Undertow server on loopback that upgrades with {@link WsUpgrade} and gives the connection
 * to the test (which puts a {@link FrameCodecCarrier} on it): carrier tests without the engine.
 */
final class CodecServer implements AutoCloseable {
    final Undertow undertow;
    final int port;

    CodecServer(BiConsumer<StreamConnection, ByteBufferPool> onUpgrade) {
        undertow = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(1)
                .setHandler(Handlers.path(ResponseCodeHandler.HANDLE_404).addExactPath("/p2pvm", exchange -> {
                    ByteBufferPool pool = exchange.getConnection().getByteBufferPool();
                    WsUpgrade.upgrade(exchange, P2pvmWebSocketHandler.SUBPROTOCOL,
                            (connection, ex) -> onUpgrade.accept(connection, pool));
                }))
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
