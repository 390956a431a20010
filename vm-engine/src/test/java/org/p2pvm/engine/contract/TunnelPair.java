package org.p2pvm.engine.contract;

import java.util.concurrent.CompletableFuture;
import org.p2pvm.Tunnel;

/**
 * The two ends of one carrier, as futures (a failed handshake fails them), and the fault hook.
 *
 * @param dialer the dialing end's tunnel
 * @param acceptor the accepting end's tunnel
 * @param carrierKiller drops the physical link abruptly, mid-transfer, without any GOAWAY (for TCP
 *     carriers: a proxy in the middle closes both sockets with RST)
 */
public record TunnelPair(CompletableFuture<Tunnel> dialer, CompletableFuture<Tunnel> acceptor,
        Runnable carrierKiller) {

    /** Drops the carrier abruptly. */
    public void killCarrier() {
        carrierKiller.run();
    }
}
