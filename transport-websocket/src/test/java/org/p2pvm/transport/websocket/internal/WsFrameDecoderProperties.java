package org.p2pvm.transport.websocket.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Round trip: any sequence of binary messages, each cut into any fragments with pings between them,
 * masked as a client sends them and read back in any split of socket reads, decodes to the same
 * bytes and message boundaries.
 */
class WsFrameDecoderProperties {
    @Property(tries = 300)
    void anyMessagesInAnySplitDecodeToTheSameBytes(
            @ForAll @Size(min = 1, max = 6) List<@Size(max = 5) List<@IntRange(min = 0, max = 70_000) Integer>> messages,
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 1, max = 5000) Integer> reads,
            @ForAll boolean pings) {
        ClientFrames f = new ClientFrames();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        List<Integer> ends = new ArrayList<>();
        int seed = 0;
        for (List<Integer> fragments : messages) {
            List<Integer> parts = fragments.isEmpty() ? List.of(0) : fragments;
            for (int i = 0; i < parts.size(); i++) {
                byte[] p = new byte[parts.get(i)];
                new java.util.Random(seed++).nextBytes(p);
                f.frame(i == 0 ? WsFrameDecoder.OP_BINARY : WsFrameDecoder.OP_CONTINUATION, i == parts.size() - 1, p);
                expected.writeBytes(p);
                if (pings) {
                    f.frame(WsFrameDecoder.OP_PING, true, new byte[i % 126]);
                }
            }
            ends.add(expected.size());
        }
        byte[] stream = f.bytes();
        WsFrameDecoderTest.Recorder r = new WsFrameDecoderTest.Recorder();
        WsFrameDecoder d = new WsFrameDecoder(r, Long.MAX_VALUE);
        int at = 0;
        for (int k = 0; at < stream.length; k++) {
            int n = Math.min(reads.get(k % reads.size()), stream.length - at);
            d.decode(ByteBuffer.wrap(stream, at, n).slice());
            at += n;
        }
        assertNull(r.violation, r.detail);
        assertArrayEquals(expected.toByteArray(), r.data.toByteArray());
        assertEquals(ends, r.messageEnds);
    }
}
