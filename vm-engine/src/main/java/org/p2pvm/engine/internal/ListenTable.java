package org.p2pvm.engine.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.p2pvm.VmAddress;
import org.p2pvm.VmServer;

/**
 * Both listen tables of one tunnel (PROTOCOL.md §1, §4 step 5): the local one (address → server,
 * for routing OPENs) and the one the peer pushed with LISTEN (for {@link #awaitRemote}).
 *
 * <p>Mutated only on the tunnel's executor; the maps are concurrent so that snapshots may be read
 * from any thread.
 */
final class ListenTable {
    private final Map<VmAddress, VmServer> local = new ConcurrentHashMap<>();
    private final Set<VmAddress> remote = ConcurrentHashMap.newKeySet();
    private final Map<VmAddress, List<CompletableFuture<Void>>> waiters = new HashMap<>();

    Map<VmAddress, VmServer> local() {
        return local;
    }

    Set<VmAddress> localSnapshot() {
        return Set.copyOf(local.keySet());
    }

    Set<VmAddress> remoteSnapshot() {
        return Set.copyOf(remote);
    }

    boolean remoteContains(VmAddress exact) {
        return remote.contains(exact);
    }

    int remoteSize() {
        return remote.size();
    }

    /** The server for {@code destination}: exact address first, then {@code ::} on its port (§5). */
    VmServer route(VmAddress destination) {
        VmServer s = local.get(destination);
        return s != null ? s : local.get(destination.withAnyAddress());
    }

    boolean remoteListens(VmAddress a) {
        return remote.contains(a) || remote.contains(a.withAnyAddress());
    }

    void remoteAdded(VmAddress a) {
        remote.add(a);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        waiters.entrySet().removeIf(e -> {
            if (e.getKey().equals(a) || a.isAny() && e.getKey().port() == a.port()) {
                done.addAll(e.getValue());
                return true;
            }
            return false;
        });
        done.forEach(f -> f.complete(null));
    }

    void remoteRemoved(VmAddress a) {
        remote.remove(a);
    }

    void awaitRemote(VmAddress a, CompletableFuture<Void> f) {
        if (remoteListens(a)) {
            f.complete(null);
        } else {
            waiters.computeIfAbsent(a, k -> new ArrayList<>(1)).add(f);
        }
    }

    void failWaiters(Throwable cause) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        waiters.values().forEach(all::addAll);
        waiters.clear();
        all.forEach(f -> f.completeExceptionally(cause));
    }

    Set<VmAddress> localAddresses() {
        return Collections.unmodifiableSet(local.keySet());
    }
}
