package org.p2pvm.examples.forward;

import java.util.concurrent.CompletableFuture;
import org.p2pvm.Tunnel;

/**
 * Where a {@link LocalListener} finds the tunnel for its next connection: the dialer's current
 * tunnel (which a reconnecting dialer replaces), or the newest tunnel an acceptor holds. Called on
 * the listener's accept thread.
 */
@FunctionalInterface
public interface TunnelSource {
    /**
     * A future of an open tunnel: complete now when one is up, later when one is being (re)opened,
     * or failed when there is none and none is expected.
     */
    CompletableFuture<Tunnel> tunnel();
}
