package org.p2pvm.transport.grizzly.internal;

import org.p2pvm.engine.CarrierListener;

/**
 * What a {@link CarrierFilter} does with each new link: start the engine on the carrier (normally
 * {@link org.p2pvm.engine.TunnelEngine#open}) and return the listener that receives its bytes.
 * Called once per link, on the carrier's executor, before any inbound byte is delivered.
 */
@FunctionalInterface
public interface CarrierBinding {
    /** @throws Exception to refuse the link; it is closed */
    CarrierListener open(GrizzlyCarrier carrier) throws Exception;

    /** The link failed before {@link #open} could be called (e.g. its TLS handshake failed). */
    default void failed(Throwable cause) {
    }
}
