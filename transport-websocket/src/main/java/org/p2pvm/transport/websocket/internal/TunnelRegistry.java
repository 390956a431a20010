package org.p2pvm.transport.websocket.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;

/**
 * The tunnels a server, handler or transport made, from carrier open (handshake still running) until
 * the tunnel's close future completes; so closing the owner closes them all. Thread-safe.
 */
public final class TunnelRegistry {
    private final Map<Tunnel, AbstractWsCarrier> tunnels = new ConcurrentHashMap<>();

    /** Tracks {@code tunnel} on {@code carrier} until it closes. */
    public void add(Tunnel tunnel, AbstractWsCarrier carrier) {
        tunnels.put(tunnel, carrier);
        tunnel.closeFuture().whenComplete((r, e) -> tunnels.remove(tunnel));
    }

    /** The tunnels whose handshake succeeded and which are still open. */
    public Collection<Tunnel> open() {
        List<Tunnel> out = new ArrayList<>();
        for (Tunnel t : tunnels.keySet()) {
            if (t.isOpen()) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Closes every tracked tunnel with {@code code} and completes when all have closed, or after
     * {@code patience} (graceful closes wait for streams in progress; an owner shutting down does not
     * wait forever).
     */
    public CompletableFuture<Void> closeAll(ErrorCode code, String reason, Duration patience) {
        List<CompletableFuture<?>> closing = new ArrayList<>();
        tunnels.forEach((t, carrier) -> {
            carrier.executor().execute(() -> {
                carrier.expectClose(code); // so the close frame says e.g. 1001 Going Away
                t.close(code, reason);
            });
            closing.add(t.closeFuture());
        });
        return CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]))
                .completeOnTimeout(null, patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Drops every tracked tunnel's carrier at once (no close handshake) and completes when their
     * tunnels have closed, or after {@code patience}: what is left after a bounded graceful close.
     */
    public CompletableFuture<Void> abortAll(Duration patience) {
        List<CompletableFuture<?>> closing = new ArrayList<>();
        tunnels.forEach((t, carrier) -> {
            carrier.executor().execute(() -> carrier.close(false));
            closing.add(t.closeFuture());
        });
        return CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0]))
                .completeOnTimeout(null, patience.toMillis(), TimeUnit.MILLISECONDS);
    }
}
