package org.p2pvm.transport.grizzly.internal;

import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;

/**
 * Sits between the transport filter and Grizzly's TLS filter and hands that filter one whole TLS
 * record per call (the rest stays as the chain's remainder and follows at once).
 *
 * <p>Why: Grizzly 4.0.2's {@code SSLBaseFilter.unwrapAll} decrypts every record of a read in one go,
 * and when one of them is the peer's close_notify it leaves through its graceful-close path without
 * passing on the application data it decrypted from the earlier records of the same read. Peers that
 * send close_notify right behind their last data (Netty does) would lose their final GOAWAY or DATA.
 * One record per call means a close_notify never shares a call with data. Records are not copied:
 * the buffer is split.
 *
 * <p>Stateless; runs on the chain's thread.
 */
public final class TlsRecordSplitter extends BaseFilter {
    /** Content type (1), version (2), length (2). */
    private static final int HEADER = 5;

    @Override
    public NextAction handleRead(FilterChainContext ctx) {
        Buffer in = ctx.getMessage();
        int start = in.position();
        if (in.remaining() < HEADER) {
            return ctx.getStopAction(in);
        }
        int length = ((in.get(start + 3) & 0xFF) << 8) | (in.get(start + 4) & 0xFF);
        int record = HEADER + length;
        if (in.remaining() < record) {
            return ctx.getStopAction(in); // wait for the rest of the record
        }
        if (in.remaining() == record) {
            return ctx.getInvokeAction();
        }
        Buffer rest = in.split(start + record);
        return ctx.getInvokeAction(rest);
    }
}
