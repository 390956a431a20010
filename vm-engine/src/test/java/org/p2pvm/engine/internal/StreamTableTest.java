package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link StreamTable}'s open-addressing map agrees with a {@link HashMap} under random puts and removes. */
class StreamTableTest {

    private static StreamImpl stream(int id, boolean opener) {
        StreamImpl s = new StreamImpl(null, opener, null, null);
        s.id = id;
        return s;
    }

    @Test
    void randomPutsAndRemoves_matchAHashMap() {
        Random r = new Random(42);
        StreamTable t = new StreamTable(true);
        Map<Integer, StreamImpl> ref = new HashMap<>();
        for (int step = 0; step < 200_000; step++) {
            // a small id range forces long probe runs, wrap-around and removal inside runs
            int id = r.nextInt(4_000) - 2_000;
            if (id == 0) {
                continue;
            }
            if (r.nextInt(3) > 0 && !ref.containsKey(id)) {
                StreamImpl s = stream(id, (id & 1) == 1);
                t.put(s);
                ref.put(id, s);
            } else if (ref.containsKey(id)) {
                t.remove(ref.remove(id));
            }
            if (step % 997 == 0) {
                for (int k = -2_000; k < 2_000; k++) {
                    assertSame(ref.get(k), k == 0 ? null : t.get(k), "id " + k);
                }
            }
        }
        assertEquals(ref.size(), t.size());
        assertEquals(ref.values().stream().filter(s -> s.opener).count(), t.localOpened());
        assertEquals(ref.values().stream().filter(s -> !s.opener).count(), t.peerOpened());
        assertEquals(new HashSet<>(ref.values()), new HashSet<>(t.drain()));
        assertTrue(t.isEmpty());
    }

    @Test
    void aMillionSequentialIds_growAndShrink() {
        StreamTable t = new StreamTable(true);
        StreamImpl[] all = new StreamImpl[1_000_000];
        for (int i = 0; i < all.length; i++) {
            all[i] = stream(t.allocateId(), true);
            t.put(all[i]);
        }
        assertEquals(all.length, t.localOpened());
        for (StreamImpl s : all) {
            assertSame(s, t.get(s.id));
        }
        for (StreamImpl s : all) {
            t.remove(s);
        }
        assertTrue(t.isEmpty());
        assertEquals(0, t.localOpened());
        assertNull(t.get(1));
    }

    @Test
    void removingAStreamNotInTheTable_changesNothing() {
        StreamTable t = new StreamTable(false);
        StreamImpl a = stream(7, false);
        t.put(a);
        t.remove(stream(7, false));
        t.remove(stream(9, false));
        assertSame(a, t.get(7));
        assertEquals(1, t.peerOpened());
    }

    @Test
    void allocateId_skipsIdsInUseAndZero() {
        StreamTable t = new StreamTable(false);
        t.nextIdForTest(-4);
        t.put(stream(-4, true));
        t.put(stream(-2, true));
        assertEquals(2, t.allocateId(), "-4 and -2 are in use and 0 is never an id");
        assertEquals(4, t.allocateId());
    }
}
