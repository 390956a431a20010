package org.p2pvm.engine.internal;

/**
 * A set of objects by identity, of bounded size, that allocates nothing after construction: open
 * addressing over a power-of-two table at most half full, emptied in time proportional to its size.
 * {@link BatchWriter} uses it to know whether an application buffer is already in the batch. Not
 * thread-safe.
 */
final class IdentitySet {
    private final Object[] table;
    private final int[] used;
    private int size;

    /** @param maxSize the most objects the set will ever hold between two {@link #clear()}s */
    IdentitySet(int maxSize) {
        int cap = Integer.highestOneBit(Math.max(2, maxSize) * 2 - 1) << 1;
        table = new Object[cap];
        used = new int[maxSize];
    }

    /** Adds {@code o}; false if it was already in the set, or if the set is full. */
    boolean add(Object o) {
        if (size == used.length) {
            return false;
        }
        int mask = table.length - 1;
        int h = System.identityHashCode(o);
        int i = (h ^ h >>> 16) & mask;
        Object e;
        while ((e = table[i]) != null) {
            if (e == o) {
                return false;
            }
            i = (i + 1) & mask;
        }
        table[i] = o;
        used[size++] = i;
        return true;
    }

    void clear() {
        for (int k = 0; k < size; k++) {
            table[used[k]] = null;
        }
        size = 0;
    }

    int size() {
        return size;
    }
}
