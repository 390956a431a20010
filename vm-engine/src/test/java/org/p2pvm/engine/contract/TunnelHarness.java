package org.p2pvm.engine.contract;

import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;

/**
 * What a carrier supplies to run the contract kit: a way to open a connected pair of tunnels over
 * it, and to kill the carrier under them. One harness serves a whole test class; {@link #close()}
 * releases its threads and sockets.
 */
public interface TunnelHarness extends AutoCloseable {

    /**
     * Opens a fresh carrier and a tunnel on each end.
     *
     * @param onAcceptorOpen runs on the acceptor tunnel's executor when it opens (install servers
     *     there); may be null
     * @param onDialerOpen likewise for the dialer; may be null
     */
    TunnelPair open(TunnelOptions dialerOptions, TunnelOptions acceptorOptions,
            Consumer<Tunnel> onDialerOpen, Consumer<Tunnel> onAcceptorOpen) throws Exception;

    /** A short name for reports, e.g. {@code "nio→nio"}. */
    String name();

    @Override
    void close() throws Exception;
}
