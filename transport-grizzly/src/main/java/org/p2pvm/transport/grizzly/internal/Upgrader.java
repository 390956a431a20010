package org.p2pvm.transport.grizzly.internal;

import java.util.Objects;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.NIOConnection;

/**
 * Turns a live Grizzly connection into a carrier: takes the bytes the application's chain has read
 * but not consumed, switches the connection to a carrier chain ({@code TransportFilter} +
 * {@link CarrierFilter}), and starts the engine on the connection's selector thread with those
 * bytes delivered first. See {@link org.p2pvm.transport.grizzly.GrizzlyUpgrade}.
 */
public final class Upgrader {
    private Upgrader() {
    }

    /**
     * @param ctx the context of the application filter's {@code handleRead} that decided to upgrade
     * @param maxWriteQueueBytes the write-queue size above which the carrier reports itself unwritable
     */
    public static GrizzlyCarrier upgrade(FilterChainContext ctx, boolean dialer, CarrierBinding binding, int maxWriteQueueBytes) {
        Objects.requireNonNull(ctx, "ctx");
        Objects.requireNonNull(binding, "binding");
        Connection<?> connection = ctx.getConnection();
        if (!(connection instanceof NIOConnection) || ((NIOConnection) connection).getSelectorRunner() == null) {
            throw new IllegalArgumentException("only a registered TCP connection of a Grizzly NIO transport can be upgraded, not "
                    + connection);
        }
        if (GrizzlyCarrier.of(connection) != null) {
            throw new IllegalStateException(connection + " is already a tunnel carrier");
        }
        if (!connection.isOpen()) {
            throw new IllegalStateException(connection + " is closed");
        }
        Buffer leftover = ChainRemainders.take(ctx);
        if (connection.getMaxAsyncWriteQueueSize() < 0) {
            connection.setMaxAsyncWriteQueueSize(maxWriteQueueBytes); // unlimited queues give no backpressure
        }
        GrizzlyCarrier carrier = new GrizzlyCarrier(connection, dialer, leftover, false);
        connection.setProcessor(FilterChainBuilder.stateless()
                .add(new TransportFilter())
                .add(new CarrierFilter(dialer, binding))
                .build());
        carrier.executor().execute(() -> CarrierFilter.attach(carrier, binding));
        return carrier;
    }
}
