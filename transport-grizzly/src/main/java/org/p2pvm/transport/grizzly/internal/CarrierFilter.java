package org.p2pvm.transport.grizzly.internal;

import java.io.IOException;
import java.util.Objects;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last filter of a carrier's chain ({@code TransportFilter} + this): turns a connected or
 * accepted TCP connection into a {@link GrizzlyCarrier}, starts the engine on it, and hands every
 * read {@link Buffer} to the carrier. Writes bypass the chain (the carrier uses the async write queue
 * directly), so no codec can touch tunnel bytes.
 *
 * <p>Stateless apart from its configuration, so one instance serves every connection of a chain.
 * Called on the thread the transport's IO strategy runs the chain on.
 */
public final class CarrierFilter extends BaseFilter {
    private static final Logger LOG = LoggerFactory.getLogger(CarrierFilter.class);

    private final boolean dialer;
    private final CarrierBinding binding;

    public CarrierFilter(boolean dialer, CarrierBinding binding) {
        this.dialer = dialer;
        this.binding = Objects.requireNonNull(binding, "binding");
    }

    @Override
    public NextAction handleAccept(FilterChainContext ctx) {
        return start(ctx);
    }

    @Override
    public NextAction handleConnect(FilterChainContext ctx) {
        return start(ctx);
    }

    /** Attaches the carrier on its executor before Grizzly turns reading on (it waits for this event to complete). */
    private NextAction start(FilterChainContext ctx) {
        Connection<?> connection = ctx.getConnection();
        GrizzlyCarrier carrier = new GrizzlyCarrier(connection, dialer);
        if (carrier.inExecutor()) {
            attach(carrier, binding);
            return ctx.getStopAction();
        }
        ctx.suspend();
        carrier.executor().execute(() -> {
            attach(carrier, binding);
            ctx.resume(ctx.getStopAction());
        });
        return ctx.getSuspendAction();
    }

    /** Opens the engine on {@code carrier}; on the carrier's executor. */
    static void attach(GrizzlyCarrier carrier, CarrierBinding binding) {
        try {
            carrier.attach(binding.open(carrier));
        } catch (Exception | Error e) {
            LOG.warn("cannot start a tunnel on {}: {}", carrier, e.toString(), e);
            carrier.connection().terminateSilently();
        }
    }

    @Override
    public NextAction handleRead(FilterChainContext ctx) {
        Buffer buffer = ctx.getMessage();
        ctx.setMessage(null);
        GrizzlyCarrier carrier = GrizzlyCarrier.of(ctx.getConnection());
        if (carrier == null) { // not attached: cannot happen, reading starts after attach
            buffer.tryDispose();
            return ctx.getStopAction();
        }
        return carrier.onRead(ctx, buffer);
    }

    @Override
    public NextAction handleClose(FilterChainContext ctx) throws IOException {
        return ctx.getStopAction(); // the carrier's close listener reports it
    }

    @Override
    public void exceptionOccurred(FilterChainContext ctx, Throwable error) {
        LOG.debug("carrier chain error on {}", ctx.getConnection(), error);
    }
}
