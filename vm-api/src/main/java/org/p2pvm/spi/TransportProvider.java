package org.p2pvm.spi;

/**
 * The {@link java.util.ServiceLoader} entry of a transport module: list the implementation in
 * {@code META-INF/services/org.p2pvm.spi.TransportProvider}.
 */
public interface TransportProvider {

    /** The unique name users pick the transport by, e.g. {@code "nio"}; lower case. */
    String name();

    /** A one-line description for {@code p2pvm transports}. */
    default String description() {
        return name();
    }

    /** Creates a transport with its own threads. */
    Transport create(TransportConfig config);
}
