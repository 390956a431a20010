package org.p2pvm.transport.netty;

import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportProvider;

/**
 * The {@link java.util.ServiceLoader} entry of the {@code netty} transport (listed in
 * {@code META-INF/services/org.p2pvm.spi.TransportProvider}). Stateless and thread-safe.
 */
public final class NettyTransportProvider implements TransportProvider {
    /** The name users pick this transport by. */
    public static final String NAME = "netty";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Netty 4.2 TCP carrier (native epoll when available, else NIO)";
    }

    @Override
    public Transport create(TransportConfig config) {
        return new NettyTransport(config);
    }
}
