package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.p2pvm.ErrorCode;
import org.p2pvm.StreamResetException;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/** PROTOCOL.md §5: open, accept, refuse, data, half close, reset, ids. */
class Section5StreamTest {
    static final VmAddress ECHO = VmAddress.parse("[::99]:11139");

    /** Echo handler: writes back each piece (copied: the piece is lent), FIN after the peer's FIN. */
    static VmServer echoServer(VmAddress address) {
        return VmServer.listen(address, c -> c.setHandler(new VmConnection.Handler() {
            @Override
            public void onData(VmConnection conn, ByteBuffer data) {
                ByteBuffer copy = ByteBuffer.allocate(data.remaining());
                copy.put(data).flip();
                conn.write(copy);
            }

            @Override
            public void onInputShutdown(VmConnection conn) {
                conn.shutdownOutput();
            }
        }));
    }

    /** Collects what a connection receives. */
    static final class Collector implements VmConnection.Handler {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean eof;
        Throwable closed;
        boolean closedCalled;

        @Override
        public void onData(VmConnection c, ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            bytes.writeBytes(b);
        }

        @Override
        public void onInputShutdown(VmConnection c) {
            eof = true;
        }

        @Override
        public void onClosed(VmConnection c, Throwable failure) {
            closedCalled = true;
            closed = failure;
        }
    }

    static EnginePair pairWithEcho(TunnelOptions o) {
        return new EnginePair(o, o, null, t -> t.install(echoServer(ECHO)), Integer.MAX_VALUE);
    }

    @Test
    void s5_open_accept_echo_halfClose_closesCleanly() {
        EnginePair p = pairWithEcho(TunnelOptions.defaults());
        p.await(p.dialer.session().handshake());
        VmConnection c = p.await(p.dialer.connect(ECHO));
        assertEquals(1, c.streamId(), "the dialer opens odd ids (§5)");
        Collector col = new Collector();
        c.setHandler(col);
        c.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
        c.shutdownOutput();
        p.pump();
        assertEquals("hello", col.bytes.toString(StandardCharsets.US_ASCII));
        assertTrue(col.eof);
        assertTrue(col.closedCalled);
        assertNull(col.closed);
        assertTrue(c.closeFuture().isDone());
        assertEquals(0, p.dialer.stats().activeStreams());
        assertEquals(0, p.acceptor.stats().activeStreams());
    }

    @Test
    void s5_futuresAskedForAfterTheFact_carryTheOutcome() {
        // the futures are made on first use: asking late must give the same answer as asking early
        List<VmConnection> accepted = new ArrayList<>();
        EnginePair p = new EnginePair(TunnelOptions.defaults(), TunnelOptions.defaults(), null,
                t -> t.install(VmServer.listen(ECHO, accepted::add)), Integer.MAX_VALUE);
        p.await(p.dialer.session().handshake());
        VmConnection clean = p.dialer.open(ECHO, null);
        VmConnection reset = p.dialer.open(ECHO, null);
        VmConnection refused = p.dialer.open(VmAddress.parse("[::99]:1"), null);
        p.pump();
        assertEquals(2, accepted.size());
        assertSame(accepted.get(0), accepted.get(0).established().join(), "accepted, asked afterwards");
        assertSame(clean, clean.established().join(), "ACCEPTed before anyone asked");
        reset.reset(ErrorCode.CANCELLED);
        clean.close();
        accepted.get(0).close();
        p.pump();
        assertFalse(clean.isOpen());
        assertNull(clean.closeFuture().join(), "closed cleanly before anyone asked");
        assertTrue(reset.closeFuture().isCompletedExceptionally());
        assertSame(reset, reset.established().join(), "it was established before the reset");
        assertTrue(refused.established().isCompletedExceptionally(), "refused before anyone asked");
        assertTrue(refused.closeFuture().isCompletedExceptionally());
        CompletableFuture<Void> early = accepted.get(1).closeFuture();
        assertSame(early, accepted.get(1).closeFuture(), "one future per stream");
        assertTrue(early.isCompletedExceptionally(), "the peer's RESET reached the acceptor");
    }

    @Test
    void s5_refused_whenNothingListens() {
        EnginePair p = pairWithEcho(TunnelOptions.defaults());
        p.await(p.dialer.session().handshake());
        CompletableFuture<VmConnection> f = p.dialer.connect(VmAddress.parse("[::99]:1"));
        p.pump();
        StreamResetException e = assertInstanceOf(StreamResetException.class,
                assertThrows(CompletionException.class, f::join).getCause());
        assertEquals(ErrorCode.REFUSED, e.errorCode());
        assertTrue(e.isRemote());
        assertTrue(e.getMessage().contains("[::99]:1"), e.getMessage());
        assertEquals(0, p.dialer.stats().activeStreams());
    }

    @Test
    void s5_wildcardListener_acceptsAnyAddressOnItsPort() {
        EnginePair p = new EnginePair(TunnelOptions.defaults(), TunnelOptions.defaults(), null,
                t -> t.install(echoServer(VmAddress.any(7))), Integer.MAX_VALUE);
        p.await(p.dialer.session().handshake());
        VmConnection c = p.await(p.dialer.connect(VmAddress.parse("[2001:db8::5]:7")));
        assertEquals(VmAddress.parse("[2001:db8::5]:7"), c.remoteAddress());
    }

    @Test
    void s5_earlyData_beforeAccept_isDelivered() {
        EnginePair p = pairWithEcho(TunnelOptions.defaults());
        p.await(p.dialer.session().handshake());
        VmConnection c = p.dialer.open(ECHO, null);
        Collector col = new Collector();
        c.setHandler(col);
        c.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        c.shutdownOutput();
        p.pump();
        assertArrayEquals(new byte[] {1, 2, 3}, col.bytes.toByteArray());
        assertTrue(c.established().isDone());
    }

    @Test
    void s5_reset_failsBothEnds_andFreesTheIds() {
        List<VmConnection> accepted = new ArrayList<>();
        Collector serverSide = new Collector();
        EnginePair p = new EnginePair(TunnelOptions.defaults(), TunnelOptions.defaults(), null,
                t -> t.install(VmServer.listen(ECHO, c -> {
                    accepted.add(c);
                    c.setHandler(serverSide);
                })), Integer.MAX_VALUE);
        p.await(p.dialer.session().handshake());
        VmConnection c = p.await(p.dialer.connect(ECHO));
        c.reset(ErrorCode.CANCELLED);
        p.pump();
        StreamResetException local = assertInstanceOf(StreamResetException.class,
                assertThrows(CompletionException.class, () -> c.closeFuture().join()).getCause());
        assertFalse(local.isRemote());
        StreamResetException remote = assertInstanceOf(StreamResetException.class, serverSide.closed);
        assertTrue(remote.isRemote());
        assertEquals(ErrorCode.CANCELLED, remote.errorCode());
        assertEquals(0, p.dialer.stats().activeStreams(), "the peer answered RESET, id freed (§5)");
        assertEquals(0, p.acceptor.stats().activeStreams());
    }

    @Test
    void s5_idWrapAround_skipsIdsStillInUse() {
        EnginePair p = pairWithEcho(TunnelOptions.defaults());
        p.await(p.dialer.session().handshake());
        p.loop.runInLoop(() -> p.dialer.nextStreamIdForTest(-1)); // 0xFFFFFFFF
        VmConnection a = p.await(p.dialer.connect(ECHO));
        assertEquals(0xFFFFFFFF, a.streamId());
        VmConnection b = p.await(p.dialer.connect(ECHO));
        assertEquals(1, b.streamId(), "wraps at 2^32 and never uses 0");
        p.loop.runInLoop(() -> p.dialer.nextStreamIdForTest(-1));
        VmConnection c = p.await(p.dialer.connect(ECHO));
        assertEquals(3, c.streamId(), "skips 0xFFFFFFFF and 1, still open");
    }

    @Test
    void s5_writtenBuffer_comesBackWithItsPositionAndLimit_andItsBytesArriveOnce() {
        EnginePair p = pairWithEcho(TunnelOptions.defaults());
        VmConnection c = p.await(p.dialer.connect(ECHO));
        Collector col = new Collector();
        c.setHandler(col);
        byte[] bytes = new byte[40_000]; // three DATA frames of at most 16 KiB: slices, then the buffer itself
        new java.util.Random(7).nextBytes(bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes).position(3).limit(39_990);
        CompletableFuture<Void> done = c.write(b);
        p.await(done);
        assertEquals(3, b.position());
        assertEquals(39_990, b.limit());
        p.pump();
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 3, 39_990), col.bytes.toByteArray());
    }

    @Test
    void s5_oneBufferInTwoPendingWritesOfOneBatch_isSentTwice() {
        // the API asks for duplicate()s; within one tunnel the engine still sends both intact
        EnginePair p = pairWithEcho(TunnelOptions.defaults());
        VmConnection c = p.await(p.dialer.connect(ECHO));
        Collector col = new Collector();
        c.setHandler(col);
        byte[] bytes = new byte[1000];
        new java.util.Random(8).nextBytes(bytes);
        ByteBuffer shared = ByteBuffer.wrap(bytes);
        CompletableFuture<Void> first = c.write(shared);
        CompletableFuture<Void> second = c.write(shared);
        p.await(CompletableFuture.allOf(first, second));
        p.pump();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(bytes);
        expected.writeBytes(bytes);
        assertArrayEquals(expected.toByteArray(), col.bytes.toByteArray());
        assertEquals(0, shared.position());
    }
}
