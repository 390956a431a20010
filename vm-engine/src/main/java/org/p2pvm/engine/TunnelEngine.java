package org.p2pvm.engine;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.internal.TunnelImpl;

/**
 * Entry point for transports: starts the PROTOCOL.md v1 engine on a freshly opened {@link Carrier}.
 */
public final class TunnelEngine {
    private TunnelEngine() {
    }

    /**
     * Starts a tunnel on {@code carrier}: sends HELLO at once (§4) and arms the handshake timeout.
     * Must be called on the carrier's executor, before the carrier delivers any inbound byte; wire the
     * returned session as the carrier's {@link CarrierListener}.
     *
     * @param onOpen called on the executor when the handshake succeeded, before any later frame is
     *     processed (install servers here); may be null
     */
    public static TunnelSession open(Carrier carrier, TunnelOptions options, Consumer<? super Tunnel> onOpen) {
        Objects.requireNonNull(carrier, "carrier");
        Objects.requireNonNull(options, "options");
        TunnelImpl tunnel = new TunnelImpl(carrier, options, onOpen);
        tunnel.start();
        return tunnel.session();
    }

    /**
     * Starts a tunnel on a carrier a server accepted, as {@link #open}, counting it against the
     * server's accept backlog until its handshake ends (PROTOCOL.md §10): when {@code gate} already
     * holds {@link TunnelOptions#maxPendingHandshakes()} carriers in the handshake, this one is closed
     * at once (HELLO, then GOAWAY LIMIT_EXCEEDED, one INFO line naming the peer) and its handshake fails.
     *
     * @param gate the bound server's gate, shared by all its carriers
     */
    public static TunnelSession accept(Carrier carrier, TunnelOptions options, Consumer<? super Tunnel> onOpen,
            HandshakeGate gate) {
        Objects.requireNonNull(carrier, "carrier");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(gate, "gate");
        TunnelImpl tunnel = new TunnelImpl(carrier, options, onOpen);
        if (!gate.tryEnter()) {
            tunnel.refuseHandshake(gate.max());
            return tunnel.session();
        }
        try {
            tunnel.start();
        } catch (RuntimeException | Error e) {
            gate.leave();
            throw e;
        }
        // the handshake future completes on success and on every close before it (Shutdown.failEverything)
        tunnel.session().handshake().whenComplete((t, e) -> gate.leave());
        return tunnel.session();
    }

    /**
     * A started tunnel, as the transport holds it.
     */
    public interface TunnelSession extends CarrierListener {
        /** Completes with the tunnel when the handshake succeeds, or fails with a {@link org.p2pvm.HandshakeException}. */
        CompletableFuture<Tunnel> handshake();

        /** The tunnel (usable for close and closeFuture even before the handshake completes). */
        Tunnel tunnel();
    }
}
