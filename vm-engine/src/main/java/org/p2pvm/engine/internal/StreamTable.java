package org.p2pvm.engine.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ids in use on one tunnel (PROTOCOL.md §5): the map from id to stream, the next id of this end's
 * parity, and how many streams each side has open (for MAX_STREAMS). An id stays here until both
 * terminal frames have been seen. Owned by the tunnel's executor.
 */
final class StreamTable {
    private final Map<Integer, StreamImpl> map = new HashMap<>();
    private int nextId;
    private int localOpened;
    private int peerOpened;

    StreamTable(boolean dialer) {
        this.nextId = dialer ? 1 : 2;
    }

    StreamImpl get(int id) {
        return map.get(id);
    }

    boolean contains(int id) {
        return map.containsKey(id);
    }

    int size() {
        return map.size();
    }

    boolean isEmpty() {
        return map.isEmpty();
    }

    /** Streams this end opened that are still in the table. */
    int localOpened() {
        return localOpened;
    }

    /** Streams the peer opened that are still in the table. */
    int peerOpened() {
        return peerOpened;
    }

    /** The next id of this end's parity: wraps at 2^32, never 0, skips ids still in use (§5). */
    int allocateId() {
        int id = nextId;
        while (id == 0 || map.containsKey(id)) {
            id += 2;
        }
        nextId = id + 2;
        return id;
    }

    void nextIdForTest(int id) {
        nextId = id;
    }

    void put(StreamImpl s) {
        map.put(s.id, s);
        if (s.opener) {
            localOpened++;
        } else {
            peerOpened++;
        }
    }

    void remove(StreamImpl s) {
        if (map.remove(s.id) != null) {
            if (s.opener) {
                localOpened--;
            } else {
                peerOpened--;
            }
        }
    }

    /** Empties the table, returning what was in it. */
    List<StreamImpl> drain() {
        List<StreamImpl> all = new ArrayList<>(map.values());
        map.clear();
        localOpened = 0;
        peerOpened = 0;
        return all;
    }
}
