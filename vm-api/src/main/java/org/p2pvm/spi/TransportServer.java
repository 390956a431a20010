package org.p2pvm.spi;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.Tunnel;

/**
 * A bound acceptor of carriers, returned by {@link Transport#bind}. Thread-safe.
 */
public interface TransportServer extends AutoCloseable {

    /** The address actually bound (with the real port when 0 was asked). */
    InetSocketAddress localAddress();

    /** The URI a peer dials to reach this server, e.g. {@code tcp://127.0.0.1:9988}. */
    URI uri();

    /** The tunnels open on this server now. */
    Collection<Tunnel> tunnels();

    /**
     * Stops accepting, closes every tunnel gracefully (GOAWAY SHUTDOWN) and completes when all are
     * closed.
     */
    CompletableFuture<Void> closeAsync();

    /** {@link #closeAsync()} without waiting. */
    @Override
    default void close() {
        closeAsync();
    }
}
