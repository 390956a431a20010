package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/**
 * What {@link BatchWriter} hands the carrier: its own bytes (frame headers, small payloads copied
 * next to them, control frames) in direct buffers, so that a socket carrier's gathering write does
 * not copy them into a temporary direct buffer; larger payloads as the application's buffers.
 */
class BatchWriterBuffersTest {
    static final VmAddress ADDR = VmAddress.parse("[::1]:7");

    @Test
    void engineOwnedBuffersAreDirect_applicationPayloadGoesAsItsOwnBuffer() {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        TunnelOptions o = TunnelOptions.defaults();
        EnginePair p = new EnginePair(o, o, null, t -> t.install(VmServer.listen(ADDR,
                c -> c.setHandler((conn, data) -> {
                    byte[] b = new byte[data.remaining()];
                    data.get(b);
                    got.write(b, 0, b.length);
                }))), Integer.MAX_VALUE);
        p.await(p.dialer.session().handshake());
        List<ByteBuffer> seen = new ArrayList<>();
        p.dialerCarrier.onWrite = bs -> seen.addAll(Arrays.asList(bs));
        p.acceptorCarrier.onWrite = bs -> seen.addAll(Arrays.asList(bs));
        VmConnection c = p.await(p.dialer.connect(ADDR));
        byte[] small = filled(100, 1);
        byte[] large = filled(40_000, 2); // more than one fragment: slices, then the buffer itself
        ByteBuffer largeBuffer = ByteBuffer.wrap(large);
        c.write(ByteBuffer.wrap(small));
        c.write(largeBuffer);
        p.pump();

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(small, 0, small.length);
        expected.write(large, 0, large.length);
        assertArrayEquals(expected.toByteArray(), got.toByteArray(), "every byte arrives, in order");
        assertFalse(seen.isEmpty());
        int payloadBuffers = 0;
        for (ByteBuffer b : seen) {
            boolean application = b.hasArray() && b.array() == large;
            assertTrue(b.isDirect() || application, "engine-owned buffer in a batch is heap: " + b);
            payloadBuffers += application ? 1 : 0;
        }
        assertTrue(payloadBuffers >= 2, "the large payload went out as the application's buffer (and slices of it)");
        assertTrue(seen.stream().anyMatch(b -> b == largeBuffer), "its last fragment is the buffer itself");
    }

    /**
     * Control frames pile up while a batch is in flight (the peer reads nothing): the control buffer
     * grows — direct up to {@link BatchWriter.MAX_DIRECT_CONTROL}, heap beyond — and every frame
     * still arrives once the peer reads again.
     */
    @ParameterizedTest
    @ValueSource(ints = {2_000, 20_000})
    void aBurstOfOpensWhileABatchIsInFlight_arrivesComplete(int streams) {
        List<VmConnection> accepted = new ArrayList<>();
        TunnelOptions o = TunnelOptions.defaults();
        EnginePair p = new EnginePair(o, o, null, t -> t.install(VmServer.listen(ADDR, accepted::add)),
                Integer.MAX_VALUE);
        p.await(p.dialer.session().handshake());
        List<ByteBuffer> seen = new ArrayList<>();
        p.dialerCarrier.onWrite = bs -> seen.addAll(Arrays.asList(bs));
        p.acceptorCarrier.setReadEnabled(false);
        p.dialer.open(ADDR, null); // its OPEN is the batch in flight
        p.pump();
        for (int i = 0; i < streams; i++) {
            p.dialer.open(ADDR, null);
        }
        p.pump();
        assertEquals(0, accepted.size(), "nothing was read yet");
        p.acceptorCarrier.setReadEnabled(true);
        p.pump();
        assertEquals(streams + 1, accepted.size(), "every OPEN of the burst arrived");
        int largest = seen.stream().mapToInt(ByteBuffer::capacity).max().orElseThrow();
        assertTrue(largest > 4096, "the control buffer grew: " + largest);
        for (ByteBuffer b : seen) {
            if (b.capacity() <= BatchWriter.MAX_DIRECT_CONTROL) {
                assertTrue(b.isDirect(), "control buffer up to the cap is direct: " + b);
            }
        }
    }

    private static byte[] filled(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }
}
