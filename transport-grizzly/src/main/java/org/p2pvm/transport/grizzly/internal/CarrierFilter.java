package org.p2pvm.transport.grizzly.internal;

import java.io.IOException;
import java.util.Objects;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.ssl.SSLBaseFilter;
import org.glassfish.grizzly.ssl.SSLFilter;
import javax.net.ssl.SSLEngine;
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
    private final SSLBaseFilter tls;

    public CarrierFilter(boolean dialer, CarrierBinding binding) {
        this(dialer, binding, null);
    }

    /**
     * @param tls the chain's TLS filter (before this one), or null: with TLS the tunnel starts once
     *     the TLS handshake completed, and the carrier writes through the chain so the filter encrypts
     */
    public CarrierFilter(boolean dialer, CarrierBinding binding, SSLBaseFilter tls) {
        this.dialer = dialer;
        this.binding = Objects.requireNonNull(binding, "binding");
        this.tls = tls;
        if (tls != null && !dialer) {
            tls.addHandshakeListener(new SSLBaseFilter.HandshakeListener() {
                @Override
                public void onStart(Connection<?> connection) {
                }

                @Override
                public void onComplete(Connection<?> connection) {
                    GrizzlyCarrier carrier = GrizzlyCarrier.of(connection);
                    if (carrier != null) {
                        carrier.executor().execute(() -> attach(carrier, binding));
                    }
                }

                @Override
                public void onFailure(Connection<?> connection, Throwable t) {
                    LOG.info("TLS handshake with {} failed: {}", connection.getPeerAddress(), t.toString());
                    connection.closeSilently();
                }
            });
        }
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
        GrizzlyCarrier carrier = new GrizzlyCarrier(connection, dialer, null, tls != null);
        if (tls != null) {
            return startAfterHandshake(ctx, carrier);
        }
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

    /** With TLS: the dialer begins the handshake; either side attaches when it completes. */
    private NextAction startAfterHandshake(FilterChainContext ctx, GrizzlyCarrier carrier) {
        if (dialer) {
            try {
                ((SSLFilter) tls).handshake(carrier.connection(), new EmptyCompletionHandler<SSLEngine>() {
                    @Override
                    public void completed(SSLEngine engine) {
                        carrier.executor().execute(() -> attach(carrier, binding));
                    }

                    @Override
                    public void failed(Throwable t) {
                        LOG.info("TLS handshake with {} failed: {}", carrier.remoteAddress(), t.toString());
                        binding.failed(t);
                        carrier.tlsFailed(t);
                    }
                });
            } catch (IOException e) {
                binding.failed(e);
                carrier.tlsFailed(e);
            }
        }
        return ctx.getInvokeAction();
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
