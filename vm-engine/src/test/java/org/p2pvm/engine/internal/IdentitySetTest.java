package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** {@link IdentitySet}: membership by identity, bounded size, reuse after clear. */
class IdentitySetTest {
    @Test
    void addsByIdentity_notByEquality() {
        IdentitySet set = new IdentitySet(8);
        String a = new String("x");
        String b = new String("x");
        assertTrue(set.add(a));
        assertFalse(set.add(a));
        assertTrue(set.add(b), "equal but distinct objects are distinct members");
        assertEquals(2, set.size());
    }

    @Test
    void refusesBeyondItsSize_andIsEmptyAfterClear() {
        IdentitySet set = new IdentitySet(100);
        Object[] objects = new Object[101];
        for (int i = 0; i < objects.length; i++) {
            objects[i] = new Object();
        }
        for (int i = 0; i < 100; i++) {
            assertTrue(set.add(objects[i]));
        }
        assertFalse(set.add(objects[100]), "full");
        set.clear();
        assertEquals(0, set.size());
        for (Object o : objects) {
            if (o != objects[100]) {
                assertTrue(set.add(o), "cleared");
            }
        }
    }
}
