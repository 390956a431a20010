package org.p2pvm.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The echo payload: reproducible, independent of how the bytes are split, and every change is found. */
class PatternStreamTest {

    private static byte[] produce(long seed, int length, int chunk) {
        PatternStream s = new PatternStream(seed);
        ByteBuffer all = ByteBuffer.allocate(length);
        while (all.hasRemaining()) {
            ByteBuffer piece = all.slice();
            piece.limit(Math.min(chunk, piece.remaining()));
            s.fill(piece);
            all.position(all.position() + piece.position());
        }
        assertEquals(length, s.position());
        return all.array();
    }

    @Test
    void theSameSeedGivesTheSameBytesHoweverTheyAreChunked() {
        byte[] whole = produce(42, 10_000, 10_000);
        assertEquals(Arrays.toString(whole), Arrays.toString(produce(42, 10_000, 1)));
        assertEquals(Arrays.toString(whole), Arrays.toString(produce(42, 10_000, 7)));
        assertEquals(Arrays.toString(whole), Arrays.toString(produce(42, 10_000, 4096)));
    }

    @Test
    void seedsDiffer() {
        assertNotEquals(Arrays.toString(produce(1, 64, 64)), Arrays.toString(produce(2, 64, 64)));
    }

    @Test
    void verifyAcceptsTheBytesInAnySplit() {
        byte[] data = produce(7, 50_000, 50_000);
        PatternStream v = new PatternStream(7);
        Random random = new Random(1);
        int at = 0;
        while (at < data.length) {
            int n = Math.min(data.length - at, 1 + random.nextInt(3000));
            assertEquals(-1, v.verify(ByteBuffer.wrap(data, at, n)));
            at += n;
        }
        assertEquals(data.length, v.position());
    }

    @Test
    void verifyReportsTheOffsetOfTheFirstChangedByte() {
        byte[] data = produce(7, 5000, 5000);
        data[4321] ^= 1;
        PatternStream v = new PatternStream(7);
        assertEquals(-1, v.verify(ByteBuffer.wrap(data, 0, 4000)));
        assertEquals(4321, v.verify(ByteBuffer.wrap(data, 4000, 1000)));
    }

    @Test
    void theBufferByteOrderDoesNotMatter() {
        byte[] big = produce(9, 1000, 1000);
        ByteBuffer little = ByteBuffer.allocate(1000).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        new PatternStream(9).fill(little);
        assertEquals(Arrays.toString(big), Arrays.toString(little.array()));
        ByteBuffer check = ByteBuffer.wrap(big).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(-1, new PatternStream(9).verify(check));
        big[517] ^= (byte) 0x80;
        assertEquals(517, new PatternStream(9).verify(ByteBuffer.wrap(big).order(java.nio.ByteOrder.LITTLE_ENDIAN)));
    }

    @Test
    void everyChangedOffsetIsFoundInAnyAlignment() {
        byte[] data = produce(11, 64, 64);
        for (int start = 0; start < 9; start++) {
            for (int bad = start; bad < 64; bad++) {
                byte[] copy = data.clone();
                copy[bad] ^= 1;
                PatternStream v = new PatternStream(11);
                assertEquals(-1, v.verify(ByteBuffer.wrap(copy, 0, start)));
                assertEquals(bad, v.verify(ByteBuffer.wrap(copy, start, 64 - start)), start + "/" + bad);
            }
        }
    }
}
