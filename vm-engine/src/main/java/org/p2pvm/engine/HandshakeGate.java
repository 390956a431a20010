package org.p2pvm.engine;

import java.util.concurrent.atomic.AtomicInteger;
import org.p2pvm.TunnelOptions;

/**
 * The accept backlog of one bound server (PROTOCOL.md §10): how many of its carriers are still in the
 * handshake. A transport creates one per {@code Transport.bind} and starts every accepted carrier
 * through {@link TunnelEngine#accept}, which closes a carrier beyond
 * {@link TunnelOptions#maxPendingHandshakes()} at once. Without it, carriers that never finish their
 * handshake (slowloris) cost the server a tunnel each until their handshake timeout, without bound.
 *
 * <p>Thread-safe: the carriers of one server run on several executors.
 */
public final class HandshakeGate {
    private final int max;
    private final AtomicInteger pending = new AtomicInteger();

    /** A gate admitting at most {@code maxPendingHandshakes} carriers in the handshake at a time. */
    public HandshakeGate(int maxPendingHandshakes) {
        if (maxPendingHandshakes < 1) {
            throw new IllegalArgumentException("maxPendingHandshakes is " + maxPendingHandshakes + " but must be at least 1");
        }
        this.max = maxPendingHandshakes;
    }

    /** The gate of a server bound with {@code options}. */
    public static HandshakeGate of(TunnelOptions options) {
        return new HandshakeGate(options.maxPendingHandshakes());
    }

    /** The limit. */
    public int max() {
        return max;
    }

    /** Carriers in the handshake now. */
    public int pending() {
        return pending.get();
    }

    boolean tryEnter() {
        while (true) {
            int n = pending.get();
            if (n >= max) {
                return false;
            }
            if (pending.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void leave() {
        pending.decrementAndGet();
    }
}
