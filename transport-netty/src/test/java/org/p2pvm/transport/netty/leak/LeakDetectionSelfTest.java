package org.p2pvm.transport.netty.leak;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Proves the leak check can fail: a deliberately leaked buffer is reported. */
@Timeout(30)
class LeakDetectionSelfTest {

    @Test
    void aLostBufferIsReported() {
        List<String> leaks = List.of();
        LeakRecorder.quiet = true;
        try {
            leakOne();
            // the report needs the buffer collected and the queue polled; a few rounds suffice
            for (int i = 0; i < 20 && leaks.isEmpty(); i++) {
                leaks = LeakRecorder.collect();
            }
        } finally {
            LeakRecorder.quiet = false;
        }
        assertFalse(leaks.isEmpty(), "a leaked ByteBuf must be reported at PARANOID");
        assertTrue(leaks.get(0).contains("LEAK"), leaks.get(0));
    }

    private static void leakOne() {
        ByteBuf lost = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        lost.writeLong(42);
        // no release: the detector must notice once it is garbage
    }
}
