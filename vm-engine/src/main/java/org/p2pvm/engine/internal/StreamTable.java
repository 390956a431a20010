package org.p2pvm.engine.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The ids in use on one tunnel (PROTOCOL.md §5): the map from id to stream, the next id of this end's
 * parity, and how many streams each side has open (for MAX_STREAMS). An id stays here until both
 * terminal frames have been seen. Owned by the tunnel's executor.
 *
 * <p><b>Why a hand-written map.</b> vm-engine may depend on nothing but the JDK, and a
 * {@code HashMap<Integer, StreamImpl>} costs a boxed key and a node per stream (about 50 bytes of the
 * idle-stream budget, and 19 % of the CPU of opening streams). This is an open-addressing table with
 * linear probing over a primitive key array: id 0 is never a stream id (§5), so it marks an empty slot;
 * removal shifts the following run back (no tombstones); the load factor stays at or below one half.
 *
 * <p><b>Slots.</b> Ids are handed out in sequence (§5), so sixteen consecutive ids of one parity share
 * a block of sixteen slots (one cache line of keys): opening a million streams touches memory in order
 * instead of missing the cache on every put. The block is chosen by hashing the rest of the id.
 *
 * <p><b>Hostile ids.</b> The peer chooses the ids of its streams. The block is {@code rest × m} shifted
 * right, with {@code m} a random odd multiplier drawn per table (multiply-shift hashing, a universal
 * family), so a peer that cannot see {@code m} can put at most sixteen of its ids in one block on
 * purpose, and cannot pick ids whose blocks pile up in one run.
 */
final class StreamTable {
    private static final int BLOCK_BITS = 4;
    private static final int BLOCK_MASK = (1 << BLOCK_BITS) - 1;
    /** At least two blocks, so that the block shift stays below 32. */
    private static final int MIN_CAPACITY = 32;

    private final int multiplier = ThreadLocalRandom.current().nextInt() | 1;
    private int[] keys = new int[MIN_CAPACITY];
    private StreamImpl[] values = new StreamImpl[MIN_CAPACITY];
    /** 32 − log2(capacity / block size): the multiply-shift takes the top bits. */
    private int shift = blockShift(MIN_CAPACITY);
    private int size;
    private int nextId;
    private int localOpened;
    private int peerOpened;

    StreamTable(boolean dialer) {
        this.nextId = dialer ? 1 : 2;
    }

    private static int blockShift(int capacity) {
        return 32 - (Integer.numberOfTrailingZeros(capacity) - BLOCK_BITS);
    }

    private int slot(int id) {
        int k = Integer.rotateRight(id, 1); // the parity goes to the top: consecutive ids of one parity are adjacent
        return ((k >>> BLOCK_BITS) * multiplier) >>> shift << BLOCK_BITS | (k & BLOCK_MASK);
    }

    private int indexOf(int id) {
        if (id == 0) {
            return -1;
        }
        int mask = keys.length - 1;
        for (int i = slot(id); ; i = (i + 1) & mask) {
            int k = keys[i];
            if (k == id) {
                return i;
            }
            if (k == 0) {
                return -1;
            }
        }
    }

    StreamImpl get(int id) {
        int i = indexOf(id);
        return i < 0 ? null : values[i];
    }

    boolean contains(int id) {
        return indexOf(id) >= 0;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
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
        while (id == 0 || contains(id)) {
            id += 2;
        }
        nextId = id + 2;
        return id;
    }

    void nextIdForTest(int id) {
        nextId = id;
    }

    /** Adds {@code s} under {@code s.id}, replacing a stream with the same id (callers check first). */
    void put(StreamImpl s) {
        int id = s.id;
        if (id == 0) {
            throw new IllegalArgumentException("stream id 0 is the tunnel's (§5)");
        }
        if (size + 1 > keys.length >>> 1) {
            resize(keys.length << 1);
        }
        int mask = keys.length - 1;
        int i = slot(id);
        while (keys[i] != 0 && keys[i] != id) {
            i = (i + 1) & mask;
        }
        StreamImpl old = values[i];
        if (keys[i] == 0) {
            size++;
        } else {
            uncount(old);
        }
        keys[i] = id;
        values[i] = s;
        if (s.opener) {
            localOpened++;
        } else {
            peerOpened++;
        }
    }

    /** Removes {@code s} if it is what the table holds under its id. */
    void remove(StreamImpl s) {
        int i = indexOf(s.id);
        if (i < 0 || values[i] != s) {
            return;
        }
        uncount(s);
        size--;
        deleteAt(i);
    }

    private void uncount(StreamImpl s) {
        if (s.opener) {
            localOpened--;
        } else {
            peerOpened--;
        }
    }

    /** Empties slot {@code hole} and moves later entries of its run back so that every probe still finds them. */
    private void deleteAt(int hole) {
        int mask = keys.length - 1;
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            int k = keys[i];
            if (k == 0) {
                break;
            }
            int home = slot(k);
            // move k into the hole unless its home lies cyclically in (hole, i]
            boolean stays = hole <= i ? hole < home && home <= i : hole < home || home <= i;
            if (!stays) {
                keys[hole] = k;
                values[hole] = values[i];
                hole = i;
            }
        }
        keys[hole] = 0;
        values[hole] = null;
        if (size < keys.length >>> 3 && keys.length > MIN_CAPACITY) {
            resize(keys.length >>> 1); // a million streams gone should not keep 16 MB
        }
    }

    private void resize(int capacity) {
        int[] oldKeys = keys;
        StreamImpl[] oldValues = values;
        keys = new int[capacity];
        values = new StreamImpl[capacity];
        shift = blockShift(capacity);
        int mask = capacity - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            int k = oldKeys[j];
            if (k != 0) {
                int i = slot(k);
                while (keys[i] != 0) {
                    i = (i + 1) & mask;
                }
                keys[i] = k;
                values[i] = oldValues[j];
            }
        }
    }

    /** Empties the table, returning what was in it. */
    List<StreamImpl> drain() {
        List<StreamImpl> all = new ArrayList<>(size);
        for (StreamImpl s : values) {
            if (s != null) {
                all.add(s);
            }
        }
        keys = new int[MIN_CAPACITY];
        values = new StreamImpl[MIN_CAPACITY];
        shift = blockShift(MIN_CAPACITY);
        size = 0;
        localOpened = 0;
        peerOpened = 0;
        return all;
    }
}
