package org.p2pvm;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** TunnelOptions: PROTOCOL.md §3 defaults, validation messages that name the field. */
class TunnelOptionsTest {

    @Test
    void defaultsFollowTheProtocol() {
        TunnelOptions d = TunnelOptions.defaults();
        assertEquals(16384, d.maxFragmentSize());
        assertEquals(262144, d.initialStreamWindow());
        assertEquals(16777216, d.initialTunnelWindow());
        assertEquals(1048576, d.maxStreams());
        assertEquals(4096, d.maxListens());
        assertEquals(2 * 1024 * 1024, d.maxBatchBytes());
        assertEquals(Duration.ofSeconds(10), d.handshakeTimeout());
        assertEquals(Duration.ofSeconds(15), d.keepaliveInterval());
        assertEquals(Duration.ofSeconds(45), d.keepaliveTimeout());
        assertEquals("", d.authToken());
        assertEquals(1 << 20, d.maxControlBacklogBytes());
        assertEquals(1024, d.maxPendingHandshakes());
    }

    private static void rejects(String field, Consumer<TunnelOptions.Builder> setting) {
        TunnelOptions.Builder b = TunnelOptions.builder();
        setting.accept(b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().startsWith(field), "message names " + field + ": " + e.getMessage());
    }

    @Test
    void everyFieldIsValidated_byName() {
        rejects("maxFragmentSize", b -> b.maxFragmentSize(63));
        rejects("maxFragmentSize", b -> b.maxFragmentSize(0x1000000));
        rejects("initialStreamWindow", b -> b.initialStreamWindow(0));
        rejects("initialTunnelWindow", b -> b.initialTunnelWindow(-1));
        rejects("maxStreams", b -> b.maxStreams(0));
        rejects("maxStreams", b -> b.maxStreams(1L << 32));
        rejects("maxListens", b -> b.maxListens(-1));
        rejects("maxBatchBytes", b -> b.maxBatchBytes(10));
        rejects("streamWriteHighWaterMark", b -> b.streamWriteHighWaterMark(0));
        rejects("handshakeTimeout", b -> b.handshakeTimeout(Duration.ZERO));
        rejects("keepaliveInterval", b -> b.keepaliveInterval(Duration.ofSeconds(-1)));
        rejects("keepaliveTimeout", b -> b.keepaliveTimeout(null));
        rejects("drainTimeout", b -> b.drainTimeout(Duration.ZERO));
        rejects("keepaliveTimeout", b -> b.keepaliveInterval(Duration.ofSeconds(50)));
        rejects("authToken", b -> b.authToken(null));
        rejects("maxControlBacklogBytes", b -> b.maxControlBacklogBytes(4095));
        rejects("maxControlBacklogBytes", b -> b.maxControlBacklogBytes((1 << 30) + 1));
        rejects("maxPendingHandshakes", b -> b.maxPendingHandshakes(0));
        rejects("maxPendingHandshakes", b -> b.maxPendingHandshakes(1_000_001));
    }

    @Test
    void tokenIsNeverPrinted() {
        TunnelOptions o = TunnelOptions.builder().authToken("hunter2").build();
        assertFalse(o.toString().contains("hunter2"));
        assertTrue(o.toString().contains("<set>"));
    }

    @Test
    void toBuilderCopiesEverything() {
        TunnelOptions o = TunnelOptions.builder().maxFragmentSize(200).authToken("x").maxStreams(5)
                .maxControlBacklogBytes(8192).maxPendingHandshakes(7).build();
        assertEquals(o, o.toBuilder().build());
        assertEquals(200, o.toBuilder().maxBatchBytes(4096).build().maxFragmentSize());
        assertEquals(8192, o.toBuilder().build().maxControlBacklogBytes());
        assertEquals(7, o.toBuilder().build().maxPendingHandshakes());
        assertNotEquals(o, o.toBuilder().maxPendingHandshakes(8).build());
    }
}
