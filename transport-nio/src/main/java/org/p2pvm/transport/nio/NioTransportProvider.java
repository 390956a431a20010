package org.p2pvm.transport.nio;

import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportProvider;

/**
 * The {@link java.util.ServiceLoader} entry of the {@code nio} transport (listed in
 * {@code META-INF/services/org.p2pvm.spi.TransportProvider}). Stateless; each {@link #create} starts
 * a new {@link NioTransport} with its own threads.
 */
public final class NioTransportProvider implements TransportProvider {

    @Override
    public String name() {
        return NioTransport.NAME;
    }

    @Override
    public String description() {
        return "plain java.nio selector carrier over TCP (tcp://host:port), no dependencies";
    }

    @Override
    public Transport create(TransportConfig config) {
        return new NioTransport(config);
    }
}
