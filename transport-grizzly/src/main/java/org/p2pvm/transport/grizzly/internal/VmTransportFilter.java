package org.p2pvm.transport.grizzly.internal;

import java.io.IOException;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.FilterChainEvent;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;

/**
 * The transport-specific filter that Grizzly's {@link TransportFilter} delegates to for a
 * {@link org.p2pvm.transport.grizzly.VmTransport} (as it delegates to {@code TCPNIOTransportFilter} for
 * TCP): reads hand the event's chunk up the chain, writes go to the virtual connection, a flush
 * completes after the writes before it. Stateless; runs on the thread of the chain event.
 */
public final class VmTransportFilter extends BaseFilter {

    @Override
    public NextAction handleRead(FilterChainContext ctx) {
        Buffer chunk = ((VmGrizzlyConnection) ctx.getConnection()).takePendingRead();
        if (chunk == null) {
            return ctx.getStopAction();
        }
        ctx.setMessage(chunk);
        return ctx.getInvokeAction();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public NextAction handleWrite(FilterChainContext ctx) throws IOException {
        Object message = ctx.getMessage();
        if (message == null) {
            return ctx.getInvokeAction();
        }
        ctx.setMessage(null);
        FilterChainContext.TransportContext transportContext = ctx.getTransportContext();
        CompletionHandler handler = transportContext.getCompletionHandler();
        transportContext.setCompletionHandler(null);
        transportContext.setMessageCloner(null);
        if (!(message instanceof Buffer)) {
            IOException e = new IOException("virtual connections write Buffers, not " + message.getClass().getName());
            if (handler != null) {
                handler.failed(e);
            }
            throw e;
        }
        ((VmGrizzlyConnection) ctx.getConnection()).send((Buffer) message, handler);
        return ctx.getInvokeAction();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public NextAction handleEvent(FilterChainContext ctx, FilterChainEvent event) {
        if (event.type() == TransportFilter.FlushEvent.TYPE) {
            CompletionHandler handler = ((TransportFilter.FlushEvent) event).getCompletionHandler();
            ((VmGrizzlyConnection) ctx.getConnection()).flush(handler);
        }
        return ctx.getInvokeAction();
    }
}
