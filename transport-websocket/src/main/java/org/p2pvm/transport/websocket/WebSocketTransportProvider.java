package org.p2pvm.transport.websocket;

import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportProvider;

/**
 * The {@link java.util.ServiceLoader} entry of the websocket transport: {@code Transports.get("websocket")}.
 */
public final class WebSocketTransportProvider implements TransportProvider {
    /** The name the transport is registered under. */
    public static final String NAME = "websocket";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "WebSocket carrier (ws://HOST:PORT/PATH): Undertow server, JDK java.net.http client";
    }

    @Override
    public Transport create(TransportConfig config) {
        return new WebSocketTransport(config);
    }
}
