package org.p2pvm.engine;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.HandshakeException;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.internal.frame.FrameHandler;
import org.p2pvm.engine.internal.frame.FrameReader;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.ProtocolViolation;
import org.p2pvm.engine.memory.MemoryCarrier;
import org.p2pvm.engine.memory.MemoryLink;

/**
 * PROTOCOL.md §10, the accept backlog: {@link TunnelEngine#accept} with a {@link HandshakeGate} admits
 * at most {@code maxPendingHandshakes} carriers into the handshake, refuses the next at once (HELLO,
 * GOAWAY LIMIT_EXCEEDED), and frees a slot on every way a handshake ends: success, wrong token,
 * carrier closed, timeout.
 *
 * <p>Runs over {@link MemoryCarrier} links on real threads rather than the engine's manual loop:
 * {@code accept} starts the tunnel on the system clock, whose timer thread would post to the
 * single-threaded {@code ManualLoop} concurrently. Every wait is on an event (a future), with a
 * hang guard; the handshake timeout is ten minutes except in the one test about the timeout.
 */
@Timeout(60)
class HandshakeGateTest {
    private static final long GUARD_SECONDS = 30;
    private static final TunnelOptions LONG = TunnelOptions.builder().authToken("secret")
            .handshakeTimeout(Duration.ofMinutes(10)).build();

    private final List<MemoryLink> links = new ArrayList<>();

    @AfterEach
    void dropLinks() {
        links.forEach(MemoryLink::kill);
    }

    @Test
    void s10_beyondTheCap_isRefusedAtOnce_withHelloThenGoawayLimitExceeded() throws Exception {
        HandshakeGate gate = new HandshakeGate(2);
        Accepted first = accept(gate, LONG);
        RawDialer held1 = RawDialer.on(first.link);
        Accepted second = accept(gate, LONG);
        RawDialer.on(second.link);
        assertFalse(first.doneAtOnce, "within the cap: in the handshake");
        assertFalse(second.doneAtOnce, "within the cap: in the handshake");
        assertEquals(2, gate.pending());

        Accepted third = accept(gate, LONG);
        RawDialer refused = RawDialer.on(third.link);
        assertTrue(third.doneAtOnce, "refused inside accept, not at a later timeout");
        HandshakeException local = awaitHandshakeFailure(third);
        assertEquals(ErrorCode.LIMIT_EXCEEDED, local.errorCode());
        assertEquals(CloseReason.Origin.LOCAL, local.reason().origin());
        refused.closed.get(GUARD_SECONDS, SECONDS);
        List<int[]> frames = refused.frames();
        assertEquals(2, frames.size(), "HELLO then GOAWAY, nothing else: " + frames.size() + " frames");
        assertEquals(FrameType.HELLO, frames.get(0)[0]);
        assertEquals(FrameType.GOAWAY, frames.get(1)[0]);
        assertEquals(ErrorCode.LIMIT_EXCEEDED, ErrorCode.fromWire(frames.get(1)[1] & 0xFFFFFFFFL));
        assertTrue(refused.goawayReason().contains("maxPendingHandshakes"), refused.goawayReason());
        assertEquals(2, gate.pending(), "a refused carrier takes no slot");

        // what an engine peer sees: its handshake fails with the server's code
        Accepted fourth = accept(gate, LONG);
        CompletableFuture<Tunnel> dialer = dial(fourth.link, LONG);
        HandshakeException seen = assertInstanceOf(HandshakeException.class,
                assertThrows(ExecutionException.class, () -> dialer.get(GUARD_SECONDS, SECONDS)).getCause());
        assertEquals(ErrorCode.LIMIT_EXCEEDED, seen.errorCode());
        assertEquals(CloseReason.Origin.REMOTE, seen.reason().origin());
        held1.helloSeen.get(GUARD_SECONDS, SECONDS);
        assertEquals(List.of(FrameType.HELLO), held1.frames().stream().map(f -> f[0]).toList(),
                "held carriers only ever got HELLO");
    }

    @Test
    void s10_successfulHandshake_freesItsSlot_once() throws Exception {
        HandshakeGate gate = new HandshakeGate(1);
        Accepted a = accept(gate, LONG);
        dial(a.link, LONG).get(GUARD_SECONDS, SECONDS);
        Tunnel server = a.session.handshake().get(GUARD_SECONDS, SECONDS);
        settle(a);
        assertEquals(0, gate.pending());

        Accepted next = accept(gate, LONG);
        RawDialer.on(next.link);
        assertFalse(next.doneAtOnce, "the freed slot admits the next carrier");
        assertEquals(1, gate.pending());

        // the open tunnel closing later must not free its slot a second time
        server.close(ErrorCode.NO_ERROR, "done");
        server.closeFuture().get(GUARD_SECONDS, SECONDS);
        settle(a);
        assertEquals(1, gate.pending());
        assertTrue(accept(gate, LONG).doneAtOnce, "still full: the next carrier is refused");
    }

    @Test
    void s10_wrongToken_freesItsSlot() throws Exception {
        HandshakeGate gate = new HandshakeGate(1);
        Accepted a = accept(gate, LONG);
        dial(a.link, LONG.toBuilder().authToken("wrong").build());
        assertEquals(ErrorCode.AUTH_FAILED, awaitHandshakeFailure(a).errorCode());
        settle(a);
        assertEquals(0, gate.pending());
        Accepted next = accept(gate, LONG);
        assertFalse(next.doneAtOnce, "the freed slot admits the next carrier");
        assertEquals(1, gate.pending());
    }

    @Test
    void s10_carrierClosedMidHandshake_freesItsSlot() throws Exception {
        HandshakeGate gate = new HandshakeGate(1);
        Accepted a = accept(gate, LONG);
        RawDialer raw = RawDialer.on(a.link);
        raw.helloSeen.get(GUARD_SECONDS, SECONDS);
        a.link.dialer().executor().execute(() -> a.link.dialer().close(true)); // EOF before HELLO
        awaitHandshakeFailure(a);
        settle(a);
        assertEquals(0, gate.pending());
        assertFalse(accept(gate, LONG).doneAtOnce, "the freed slot admits the next carrier");
        assertEquals(1, gate.pending());
    }

    @Test
    void s10_handshakeTimeout_freesItsSlot() throws Exception {
        HandshakeGate gate = new HandshakeGate(1);
        // only this carrier has a short timeout; the gate's cap is its own, whatever the options say
        Accepted a = accept(gate, LONG.toBuilder().handshakeTimeout(Duration.ofMillis(200)).build());
        RawDialer.on(a.link);
        assertEquals(ErrorCode.TIMEOUT, awaitHandshakeFailure(a).errorCode());
        settle(a);
        assertEquals(0, gate.pending());
        assertFalse(accept(gate, LONG).doneAtOnce, "the freed slot admits the next carrier");
        assertEquals(1, gate.pending());
    }

    @Test
    void s10_refusalsTakeNoSlot_andPendingNeverGoesNegative() throws Exception {
        HandshakeGate gate = new HandshakeGate(1);
        Accepted held = accept(gate, LONG);
        RawDialer.on(held.link);
        for (int i = 0; i < 3; i++) {
            Accepted refused = accept(gate, LONG);
            assertTrue(refused.doneAtOnce);
            awaitHandshakeFailure(refused);
            settle(refused);
            assertEquals(1, gate.pending());
        }
        held.link.kill();
        awaitHandshakeFailure(held);
        settle(held);
        assertEquals(0, gate.pending(), "back to 0, not below: only admitted carriers leave");
        // had the refused carriers left too, the count would be negative and admit more than the cap
        assertFalse(accept(gate, LONG).doneAtOnce);
        assertTrue(accept(gate, LONG).doneAtOnce, "the cap holds after refusals");
        assertEquals(1, gate.pending());
    }

    @Test
    void gate_takesTheOption_andNamesTheFieldWhenInvalid() {
        assertEquals(7, HandshakeGate.of(TunnelOptions.builder().maxPendingHandshakes(7).build()).max());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HandshakeGate(0));
        assertTrue(e.getMessage().startsWith("maxPendingHandshakes"), e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    /** One accepted carrier: {@code doneAtOnce} is whether its handshake had ended when accept returned. */
    private record Accepted(MemoryLink link, TunnelEngine.TunnelSession session, boolean doneAtOnce) {
    }

    /** A new link whose acceptor end is started through the gate, on that end's executor. */
    private Accepted accept(HandshakeGate gate, TunnelOptions options) throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.defaults());
        links.add(link);
        MemoryCarrier carrier = link.acceptor();
        return CompletableFuture.supplyAsync(() -> {
            TunnelEngine.TunnelSession s = TunnelEngine.accept(carrier, options, null, gate);
            carrier.setListener(s);
            // read in the same task: no timer tick of this tunnel can run in between
            return new Accepted(link, s, s.handshake().isDone());
        }, carrier.executor()).get(GUARD_SECONDS, SECONDS);
    }

    /** An engine on the dialer end of {@code link}; the future is its handshake. */
    private static CompletableFuture<Tunnel> dial(MemoryLink link, TunnelOptions options) throws Exception {
        MemoryCarrier carrier = link.dialer();
        return CompletableFuture.supplyAsync(() -> {
            TunnelEngine.TunnelSession s = TunnelEngine.open(carrier, options, null);
            carrier.setListener(s);
            return s.handshake();
        }, carrier.executor()).get(GUARD_SECONDS, SECONDS);
    }

    /**
     * Waits until the acceptor's executor has finished what it was doing: the gate is left in a
     * callback of the handshake future on that executor, which may run after this thread has seen
     * the future complete.
     */
    private static void settle(Accepted a) throws Exception {
        CompletableFuture.runAsync(() -> { }, a.link.acceptor().executor()).get(GUARD_SECONDS, SECONDS);
    }

    private static HandshakeException awaitHandshakeFailure(Accepted a) {
        return assertInstanceOf(HandshakeException.class, assertThrows(ExecutionException.class,
                () -> a.session.handshake().get(GUARD_SECONDS, SECONDS)).getCause());
    }

    /**
     * A peer that never speaks: it decodes what the acceptor writes ({type, GOAWAY code}) and notes
     * the close. Its fields are written on the dialer end's executor and read after a future completed.
     */
    private static final class RawDialer implements CarrierListener {
        final CompletableFuture<Void> helloSeen = new CompletableFuture<>();
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        private final List<int[]> frames = new ArrayList<>();
        private final ByteArrayOutputStream goawayReason = new ByteArrayOutputStream();
        private final FrameReader reader = new FrameReader(FrameType.MAX_LENGTH);

        static RawDialer on(MemoryLink link) {
            RawDialer d = new RawDialer();
            link.dialer().setListener(d);
            return d;
        }

        synchronized List<int[]> frames() {
            return List.copyOf(frames);
        }

        synchronized String goawayReason() {
            return goawayReason.toString(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public synchronized void onRead(ByteBuffer data) {
            try {
                reader.read(data, handler);
            } catch (ProtocolViolation v) {
                throw new AssertionError("the acceptor wrote a malformed frame: " + v.getMessage(), v);
            }
            data.position(data.limit());
        }

        @Override
        public void onWritable() {
        }

        @Override
        public void onClosed(Throwable cause) {
            closed.complete(cause);
        }

        private final FrameHandler handler = new FrameHandler() {
            @Override
            public void onHello(ByteBuffer payload) {
                frames.add(new int[] {FrameType.HELLO, 0});
                helloSeen.complete(null);
            }

            @Override
            public void onAuth(ByteBuffer mac) {
                frames.add(new int[] {FrameType.AUTH, 0});
            }

            @Override
            public void onPing(boolean ack, long opaque) {
                frames.add(new int[] {FrameType.PING, 0});
            }

            @Override
            public void onGoaway(long errorCode, ByteBuffer reason) {
                frames.add(new int[] {FrameType.GOAWAY, (int) errorCode});
                byte[] b = new byte[reason.remaining()];
                reason.duplicate().get(b);
                goawayReason.writeBytes(b);
            }

            @Override
            public void onListen(ByteBuffer address16, int port, int state) {
                frames.add(new int[] {FrameType.LISTEN, 0});
            }

            @Override
            public void onOpen(int streamId, ByteBuffer payload) {
                frames.add(new int[] {FrameType.OPEN, 0});
            }

            @Override
            public void onAccept(int streamId) {
                frames.add(new int[] {FrameType.ACCEPT, 0});
            }

            @Override
            public void onData(int streamId, ByteBuffer data, boolean endOfFrame, boolean fin) {
                data.position(data.limit());
                if (endOfFrame) {
                    frames.add(new int[] {FrameType.DATA, 0});
                }
            }

            @Override
            public void onWindow(int streamId, long increment) {
                frames.add(new int[] {FrameType.WINDOW, 0});
            }

            @Override
            public void onReset(int streamId, long errorCode) {
                frames.add(new int[] {FrameType.RESET, 0});
            }
        };
    }
}
