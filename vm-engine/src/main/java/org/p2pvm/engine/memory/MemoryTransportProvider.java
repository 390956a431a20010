package org.p2pvm.engine.memory;

import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportProvider;

/** The {@link java.util.ServiceLoader} entry of the in-process {@link MemoryTransport} (name {@code memory}). */
public final class MemoryTransportProvider implements TransportProvider {

    @Override
    public String name() {
        return MemoryTransport.NAME;
    }

    @Override
    public String description() {
        return "in-process carrier pair (memory:NAME): tests, demos, two peers in one JVM";
    }

    @Override
    public Transport create(TransportConfig config) {
        return new MemoryTransport(config);
    }
}
