package org.p2pvm.examples.forward;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.Tunnel;

/**
 * The open tunnels of one side, newest last, as a {@link TunnelSource}: a local listener uses the
 * newest open tunnel, and while none is open it waits for the next one to be {@link #add added}
 * (a reconnecting dialer adds each new tunnel; an acceptor adds every tunnel it accepts). Tunnels
 * leave by themselves when they close. Thread-safe (one lock, held briefly).
 */
public final class LiveTunnels implements TunnelSource {
    private final Deque<Tunnel> open = new ArrayDeque<>();
    private final java.util.Map<Tunnel, Integer> ids = new java.util.IdentityHashMap<>();
    private int nextId;
    private CompletableFuture<Tunnel> next = new CompletableFuture<>();

    /** Adds an open tunnel; it is removed when its close future completes. */
    public void add(Tunnel tunnel) {
        CompletableFuture<Tunnel> waiting;
        synchronized (this) {
            open.addLast(tunnel);
            ids.put(tunnel, ++nextId);
            waiting = next;
            next = new CompletableFuture<>();
        }
        tunnel.closeFuture().whenComplete((r, f) -> remove(tunnel));
        waiting.complete(tunnel);
    }

    private synchronized void remove(Tunnel tunnel) {
        open.remove(tunnel);
        ids.remove(tunnel);
    }

    /** A tunnel with the number this registry gave it (1, 2, ... in order of {@link #add}). */
    public record Numbered(int id, Tunnel tunnel) {
    }

    /** The tunnels added and not yet closed, oldest first. */
    public synchronized java.util.List<Numbered> snapshot() {
        return open.stream().map(t -> new Numbered(ids.get(t), t)).toList();
    }

    /** How many tunnels are open now. */
    public synchronized int size() {
        return (int) open.stream().filter(Tunnel::isOpen).count();
    }

    @Override
    public synchronized CompletableFuture<Tunnel> tunnel() {
        for (Iterator<Tunnel> it = open.descendingIterator(); it.hasNext(); ) {
            Tunnel t = it.next();
            if (t.isOpen()) {
                return CompletableFuture.completedFuture(t);
            }
        }
        // Callers time out on their own copy; a shared future must not be completed by them.
        return next.thenApply(t -> t);
    }
}
