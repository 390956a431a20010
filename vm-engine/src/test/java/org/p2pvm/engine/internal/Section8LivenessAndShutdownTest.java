package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.engine.internal.frame.FrameType;

/** PROTOCOL.md §8: PING and RTT, keepalive, graceful and abrupt GOAWAY, lost carriers. */
class Section8LivenessAndShutdownTest {
    static final VmAddress ECHO = Section5StreamTest.ECHO;

    private static EnginePair pair(TunnelOptions o) {
        EnginePair p = new EnginePair(o, o, null, t -> t.install(Section5StreamTest.echoServer(ECHO)), Integer.MAX_VALUE);
        p.await(p.dialer.session().handshake());
        return p;
    }

    @Test
    void s8_ping_completesWithRtt_andUpdatesStats() {
        EnginePair p = pair(TunnelOptions.defaults());
        CompletableFuture<Duration> rtt = p.dialer.ping();
        p.pump();
        assertTrue(rtt.isDone());
        assertFalse(rtt.join().isNegative());
        assertTrue(p.dialer.stats().rtt().toNanos() > 0);
    }

    @Test
    void s8_idleEnd_sendsPingEveryKeepaliveInterval() {
        RawPeer p = new RawPeer(false, TunnelOptions.builder().keepaliveInterval(Duration.ofSeconds(15))
                .keepaliveTimeout(Duration.ofSeconds(45)).build(), null).handshake();
        p.frames();
        p.clock.advance(Duration.ofSeconds(14));
        assertTrue(p.frames().stream().noneMatch(f -> f.type() == FrameType.PING));
        p.clock.advance(Duration.ofSeconds(2));
        RawPeer.Frame ping = p.expect(FrameType.PING);
        assertEquals(0, ping.flags(), "a request, not an ACK");
        assertTrue(p.engine.isOpen());
    }

    @Test
    void s8_keepaliveTimeout_closesWithTimeout_andFailsStreams() {
        List<VmConnection> accepted = new ArrayList<>();
        RawPeer p = new RawPeer(false, TunnelOptions.builder().keepaliveInterval(Duration.ofSeconds(1))
                .keepaliveTimeout(Duration.ofSeconds(3)).build(),
                t -> t.install(VmServer.listen(ECHO, accepted::add))).handshake();
        p.sendFrame(36, FrameType.OPEN, 0, 1, RawPeer.open(ECHO, ECHO));
        p.clock.advance(Duration.ofSeconds(4));
        p.loop.runUntilIdle();
        assertEquals(ErrorCode.TIMEOUT, p.goaway().code());
        CloseReason r = p.engine.closeFuture().join();
        assertEquals(ErrorCode.TIMEOUT, r.code());
        TunnelClosedException e = assertInstanceOf(TunnelClosedException.class,
                assertThrows(CompletionException.class, () -> accepted.get(0).closeFuture().join()).getCause());
        assertEquals(ErrorCode.TIMEOUT, e.errorCode());
    }

    @Test
    void s8_trafficKeepsTunnelAlive() {
        RawPeer p = new RawPeer(false, TunnelOptions.builder().keepaliveInterval(Duration.ofSeconds(1))
                .keepaliveTimeout(Duration.ofSeconds(3)).build(), null).handshake();
        for (int i = 0; i < 10; i++) {
            p.clock.advance(Duration.ofSeconds(2));
            p.send(b -> org.p2pvm.engine.internal.frame.FrameWriter.ping(b, false, 1));
        }
        assertTrue(p.engine.isOpen());
    }

    @Test
    void s8_gracefulGoaway_letsStreamsFinish_thenClosesCarrier() {
        EnginePair p = pair(TunnelOptions.defaults());
        VmConnection c = p.await(p.dialer.connect(ECHO));
        Section5StreamTest.Collector col = new Section5StreamTest.Collector();
        c.setHandler(col);
        p.acceptor.close();
        p.pump();
        assertFalse(p.acceptor.isOpen());
        assertFalse(p.acceptor.closeFuture().isDone(), "a stream is still in progress");
        // new streams are refused while draining
        CompletableFuture<VmConnection> late = p.dialer.connect(ECHO);
        p.pump();
        assertTrue(late.isCompletedExceptionally());
        // the open stream still works
        c.write(ByteBuffer.wrap(new byte[] {9, 9}));
        c.shutdownOutput();
        p.pump();
        assertArrayEquals(new byte[] {9, 9}, col.bytes.toByteArray());
        assertNull(col.closed);
        CloseReason a = p.acceptor.closeFuture().join();
        CloseReason d = p.dialer.closeFuture().join();
        assertEquals(ErrorCode.NO_ERROR, a.code());
        assertTrue(a.isGraceful());
        assertEquals(CloseReason.Origin.LOCAL, a.origin());
        assertEquals(CloseReason.Origin.REMOTE, d.origin());
        assertTrue(d.isGraceful());
    }

    @Test
    void s8_shutdownCode_isGracefulToo() {
        EnginePair p = pair(TunnelOptions.defaults());
        p.dialer.close(ErrorCode.SHUTDOWN, "server restarting");
        p.pump();
        CloseReason r = p.acceptor.closeFuture().join();
        assertEquals(ErrorCode.SHUTDOWN, r.code());
        assertEquals("server restarting", r.detail());
        assertTrue(r.isGraceful());
    }

    @Test
    void s8_drainTimeout_closesWithStreamsStillOpen() {
        EnginePair p = pair(TunnelOptions.builder().drainTimeout(Duration.ofSeconds(5)).build());
        VmConnection c = p.await(p.dialer.connect(ECHO));
        p.dialer.close();
        p.pump();
        assertFalse(p.dialer.closeFuture().isDone());
        p.clock.advance(Duration.ofSeconds(6));
        p.pump();
        assertTrue(p.dialer.closeFuture().isDone());
        assertTrue(p.dialer.closeFuture().join().detail().contains("drain timeout"));
        assertTrue(c.closeFuture().isCompletedExceptionally());
    }

    @Test
    void s8_abruptClose_failsEveryStreamOnBothEnds_withTheCode() {
        EnginePair p = pair(TunnelOptions.defaults());
        List<VmConnection> mine = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            mine.add(p.await(p.dialer.connect(ECHO)));
        }
        p.dialer.close(ErrorCode.INTERNAL_ERROR, "giving up");
        p.pump();
        for (VmConnection c : mine) {
            TunnelClosedException e = assertInstanceOf(TunnelClosedException.class,
                    assertThrows(CompletionException.class, () -> c.closeFuture().join()).getCause());
            assertEquals(ErrorCode.INTERNAL_ERROR, e.errorCode());
            assertEquals(CloseReason.Origin.LOCAL, e.reason().origin());
        }
        CloseReason remote = p.acceptor.closeFuture().join();
        assertEquals(ErrorCode.INTERNAL_ERROR, remote.code());
        assertEquals(CloseReason.Origin.REMOTE, remote.origin());
        assertEquals("giving up", remote.detail());
        assertEquals(0, p.acceptor.stats().activeStreams());
    }

    @Test
    void s8_carrierDropped_everyStreamFailsOnBothEnds_namingTheCarrier() {
        List<VmConnection> serverSide = new ArrayList<>();
        TunnelOptions o = TunnelOptions.defaults();
        EnginePair p = new EnginePair(o, o, null, t -> t.install(VmServer.listen(ECHO, c -> {
            serverSide.add(c);
            c.setHandler((conn, data) -> { });
        })), Integer.MAX_VALUE);
        p.await(p.dialer.session().handshake());
        List<VmConnection> clientSide = new ArrayList<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            VmConnection c = p.await(p.dialer.connect(ECHO));
            clientSide.add(c);
        }
        for (VmConnection c : clientSide) {
            writes.add(c.write(ByteBuffer.allocate(1 << 20))); // more than the window: stays pending
        }
        p.dialerCarrier.kill();
        p.pump();
        List<VmConnection> all = new ArrayList<>(clientSide);
        all.addAll(serverSide);
        assertEquals(100, all.size());
        for (VmConnection c : all) {
            TunnelClosedException e = assertInstanceOf(TunnelClosedException.class,
                    assertThrows(CompletionException.class, () -> c.closeFuture().join()).getCause());
            assertEquals(CloseReason.Origin.CARRIER, e.reason().origin());
            assertTrue(e.getMessage().contains("carrier failed"), e.getMessage());
        }
        for (CompletableFuture<Void> w : writes) {
            assertTrue(w.isCompletedExceptionally(), "pending writes fail too");
        }
        assertEquals(CloseReason.Origin.CARRIER, p.dialer.closeFuture().join().origin());
        assertEquals(CloseReason.Origin.CARRIER, p.acceptor.closeFuture().join().origin());
    }

    @Test
    void s8_operationsAfterClose_failWithTheReason() {
        EnginePair p = pair(TunnelOptions.defaults());
        p.dialerCarrier.kill();
        p.pump();
        CompletableFuture<VmConnection> c = p.dialer.connect(ECHO);
        CompletableFuture<Duration> ping = p.dialer.ping();
        CompletableFuture<Void> listen = p.dialer.awaitRemoteListen(ECHO.withPort(1));
        p.pump();
        for (CompletableFuture<?> f : List.of(c, ping, listen)) {
            TunnelClosedException e = assertInstanceOf(TunnelClosedException.class,
                    assertThrows(CompletionException.class, f::join).getCause());
            assertEquals(CloseReason.Origin.CARRIER, e.reason().origin());
        }
    }

    @Test
    void s8_carrierWriteFails_writesInTheBatchFailWithTunnelClosed_namingTheCause() {
        EnginePair p = pair(TunnelOptions.defaults());
        VmConnection c = p.await(p.dialer.connect(ECHO));
        p.dialerCarrier.failWrites = new java.io.IOException("broken pipe");
        CompletableFuture<Void> small = c.write(ByteBuffer.allocate(100)); // copied into the batch
        CompletableFuture<Void> large = c.write(ByteBuffer.allocate(10_000)); // sent as the buffer itself
        p.pump();
        for (CompletableFuture<Void> w : List.of(small, large)) {
            TunnelClosedException e = assertInstanceOf(TunnelClosedException.class,
                    assertThrows(CompletionException.class, w::join).getCause());
            assertEquals(CloseReason.Origin.CARRIER, e.reason().origin());
            assertTrue(e.getMessage().contains("broken pipe"), e.getMessage());
        }
        assertEquals(CloseReason.Origin.CARRIER, p.dialer.closeFuture().join().origin());
    }
}
