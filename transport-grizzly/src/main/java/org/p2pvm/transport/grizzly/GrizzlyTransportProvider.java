package org.p2pvm.transport.grizzly;

import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportProvider;

/** The {@link java.util.ServiceLoader} entry of the Grizzly 4 transport, registered as {@code grizzly}. */
public final class GrizzlyTransportProvider implements TransportProvider {
    /** The name users pick this transport by. */
    public static final String NAME = "grizzly";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Grizzly 4 TCPNIOTransport (tcp://host:port)";
    }

    @Override
    public Transport create(TransportConfig config) {
        return new GrizzlyTransport(config);
    }
}
