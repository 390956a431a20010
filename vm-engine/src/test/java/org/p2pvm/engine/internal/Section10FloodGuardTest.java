package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;
import static org.p2pvm.engine.internal.frame.FrameType.*;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/**
 * PROTOCOL.md §10: each flood a raw peer can aim at the engine ends in GOAWAY LIMIT_EXCEEDED once
 * it exceeds its rate, and traffic within the rate is served. Time is virtual (ManualClock).
 */
class Section10FloodGuardTest {
    static final VmAddress A = VmAddress.parse("[::1]:80");

    private static RawPeer peer(TunnelOptions o) {
        return new RawPeer(false, o, t -> t.install(VmServer.listen(A, c -> { }))).handshake();
    }

    @Test
    void s10_pingFlood_isLimitExceeded() {
        RawPeer p = peer(TunnelOptions.builder().maxPingsPerSecond(10).build());
        for (int i = 0; i < 100; i++) { // the burst: ten seconds' worth
            p.sendFrame(8, PING, 0, 0, new byte[8]);
        }
        assertNull(p.goaway(), "a burst within the bucket is answered");
        p.sendFrame(8, PING, 0, 0, new byte[8]);
        RawPeer.Frame g = p.goaway();
        assertEquals(ErrorCode.LIMIT_EXCEEDED, g.code());
        assertTrue(new String(g.payload(), 4, g.payload().length - 4).contains("PING"));
    }

    @Test
    void s10_controlBacklogCap_stopsReading() {
        // PINGs within the rate, but the peer never takes our ACKs: maxControlBacklogBytes bounds them
        RawPeer p = peer(TunnelOptions.builder().maxControlBacklogBytes(4096).build());
        p.carrier.unwritable = true;
        int ack = HEADER_LENGTH + 8;
        for (int i = 0; i < 3000 / ack; i++) {
            p.sendFrame(8, PING, 0, 0, new byte[8]);
        }
        assertTrue(p.carrier.readEnabled(), "below the cap (about 3,000 bytes of ACKs queued) the end reads");
        for (int i = 0; i < 2000 / ack; i++) {
            p.sendFrame(8, PING, 0, 0, new byte[8]);
        }
        assertFalse(p.carrier.readEnabled(), "above the 4,096-byte cap the end stops reading");
        assertTrue(p.engine.writer.controlPending() <= 4096 + 2000, "the backlog: " + p.engine.writer.controlPending());
        assertNull(p.goaway(), "not a tunnel error: the peer may still read");
        p.carrier.unwritable = false;
        p.carrier.listener.onWritable();
        assertTrue(p.carrier.readEnabled(), "once the peer takes the ACKs the end reads again");
    }

    @Test
    void s10_pingsWithinTheRate_areServedForever() {
        RawPeer p = peer(TunnelOptions.builder().maxPingsPerSecond(10).build());
        for (int s = 0; s < 60; s++) {
            for (int i = 0; i < 10; i++) {
                p.sendFrame(8, PING, 0, 0, new byte[8]);
            }
            p.clock.advance(Duration.ofSeconds(1));
        }
        assertNull(p.goaway());
        assertTrue(p.engine.isOpen());
    }

    @Test
    void s10_rapidReset_isLimitExceeded() {
        RawPeer p = peer(TunnelOptions.builder().maxResetsPerSecond(5).build());
        int id = 1;
        for (int i = 0; i < 50; i++, id += 2) {
            p.sendFrame(36, OPEN, 0, id, RawPeer.open(A, A));
            p.sendFrame(4, RESET, 0, id, new byte[] {0, 0, 0, 5});
        }
        assertNull(p.goaway());
        p.sendFrame(36, OPEN, 0, id, RawPeer.open(A, A));
        p.sendFrame(4, RESET, 0, id, new byte[] {0, 0, 0, 5});
        assertEquals(ErrorCode.LIMIT_EXCEEDED, p.goaway().code());
    }

    @Test
    void s10_refusedOpenFlood_noListener_isLimitExceeded() {
        RawPeer p = peer(TunnelOptions.builder().maxResetsPerSecond(5).build());
        VmAddress nobody = VmAddress.parse("[::1]:81");
        int id = 1;
        for (int i = 0; i < 50; i++, id += 2) { // the burst: ten seconds' worth, each answered with RESET
            p.sendFrame(36, OPEN, 0, id, RawPeer.open(nobody, A));
        }
        long resets = p.frames().stream().filter(f -> f.type() == RESET && f.code() == ErrorCode.REFUSED).count();
        assertEquals(50, resets);
        assertTrue(p.engine.isOpen());
        p.sendFrame(36, OPEN, 0, id, RawPeer.open(nobody, A));
        RawPeer.Frame g = p.goaway();
        assertEquals(ErrorCode.LIMIT_EXCEEDED, g.code());
        assertTrue(new String(g.payload(), 4, g.payload().length - 4).contains("refused OPEN"));
    }

    @Test
    void s10_refusedOpenFlood_beyondMaxStreams_isLimitExceeded() {
        RawPeer p = peer(TunnelOptions.builder().maxResetsPerSecond(5).maxStreams(1).build());
        p.sendFrame(36, OPEN, 0, 1, RawPeer.open(A, A));
        p.expect(ACCEPT);
        int id = 3;
        for (int i = 0; i < 50; i++, id += 2) {
            p.sendFrame(36, OPEN, 0, id, RawPeer.open(A, A));
        }
        long resets = p.frames().stream().filter(f -> f.type() == RESET && f.code() == ErrorCode.LIMIT_EXCEEDED).count();
        assertEquals(50, resets);
        p.sendFrame(36, OPEN, 0, id, RawPeer.open(A, A));
        assertEquals(ErrorCode.LIMIT_EXCEEDED, p.goaway().code());
    }

    @Test
    void s10_refusedOpensWithinTheRate_areAnsweredForever() {
        RawPeer p = peer(TunnelOptions.builder().maxResetsPerSecond(5).build());
        VmAddress nobody = VmAddress.parse("[::1]:81");
        int id = 1;
        for (int s = 0; s < 60; s++) {
            for (int i = 0; i < 5; i++, id += 2) {
                p.sendFrame(36, OPEN, 0, id, RawPeer.open(nobody, A));
            }
            p.clock.advance(Duration.ofSeconds(1));
        }
        assertNull(p.goaway());
        assertTrue(p.engine.isOpen());
    }

    @Test
    void s10_opensThatCannotBeSent_doNotStopThisEndReading() {
        // 30,000 OPENs are 1.3 MB of control frames, above the 1 MiB reply backlog: counted as replies,
        // they would stop the dialer reading, and a peer waiting for its ACCEPTs to be read would stop
        // too (a deadlock seen with a million opens over the memory transport)
        TunnelOptions o = TunnelOptions.builder().maxStreams(100_000).build();
        EnginePair p = new EnginePair(o, o, null, t -> t.install(VmServer.listen(A, c -> { })), Integer.MAX_VALUE);
        p.await(p.dialer.open(A, null).established());
        p.acceptorCarrier.setReadEnabled(false); // the peer does not read: the next batch stays in flight
        p.dialer.open(A, null);
        p.pump();
        List<VmConnection> opened = new ArrayList<>();
        for (int i = 0; i < 30_000; i++) {
            opened.add(p.dialer.open(A, null));
        }
        VmConnection resetWhileWaiting = opened.remove(opened.size() - 1);
        resetWhileWaiting.reset(ErrorCode.CANCELLED);
        p.pump();
        assertTrue(p.dialerCarrier.readEnabled(), "the dialer still reads");
        assertTrue(p.dialer.writer.controlPending() <= p.dialer.controlHighWater);
        p.acceptorCarrier.setReadEnabled(true);
        p.pump();
        assertTrue(opened.stream().allMatch(c -> c.established().isDone() && !c.established().isCompletedExceptionally()),
                "every deferred OPEN was sent and accepted");
        assertTrue(resetWhileWaiting.established().isCompletedExceptionally());
        assertEquals(30_001, p.acceptor.stats().activeStreams(), "the stream reset before its OPEN went out never opened");
    }

    @Test
    void s10_emptyDataFlood_isLimitExceeded() {
        RawPeer p = peer(TunnelOptions.builder().maxEmptyFramesPerSecond(3).build());
        p.sendFrame(36, OPEN, 0, 1, RawPeer.open(A, A));
        for (int i = 0; i < 30; i++) {
            p.sendFrame(0, DATA, 0, 1, new byte[0]);
        }
        assertNull(p.goaway());
        p.sendFrame(0, DATA, 0, 1, new byte[0]);
        assertEquals(ErrorCode.LIMIT_EXCEEDED, p.goaway().code());
    }

    @Test
    void s10_unknownTypeFlood_isLimitExceeded() {
        RawPeer p = peer(TunnelOptions.builder().maxEmptyFramesPerSecond(2).build());
        for (int i = 0; i < 21; i++) {
            p.sendFrame(0, 0x55, 0, 0, new byte[0]);
        }
        assertEquals(ErrorCode.LIMIT_EXCEEDED, p.goaway().code());
    }

    @Test
    void s10_listenChurn_isLimitExceeded() {
        RawPeer p = peer(TunnelOptions.builder().maxListenChangesPerSecond(1).build());
        ByteBuffer b = ByteBuffer.allocate(19);
        A.writeTo(b);
        b.put((byte) 1);
        for (int i = 0; i < 10; i++) {
            b.put(18, (byte) (i & 1));
            p.sendFrame(19, LISTEN, 0, 0, b.array());
        }
        assertNull(p.goaway());
        p.sendFrame(19, LISTEN, 0, 0, b.array());
        assertEquals(ErrorCode.LIMIT_EXCEEDED, p.goaway().code());
    }

    @Test
    void s4_unknownTypeBeforeHandshake_isProtocolError() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(), null);
        p.sendFrame(0, 0x55, 0, 0, new byte[0]);
        assertEquals(ErrorCode.PROTOCOL_ERROR, p.goaway().code());
    }
}
