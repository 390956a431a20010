package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.HandshakeException;
import org.p2pvm.TunnelOptions;

/** PROTOCOL.md §4: handshake, token check, timeout. */
class Section4HandshakeTest {

    @Test
    void s4_bothEndsOpenAfterHelloAndAuth() {
        EnginePair p = EnginePair.open(TunnelOptions.builder().authToken("secret").build());
        assertSame(p.dialer, p.await(p.dialer.session().handshake()));
        assertSame(p.acceptor, p.await(p.acceptor.session().handshake()));
        assertTrue(p.dialer.isOpen());
        assertTrue(p.acceptor.isOpen());
        assertTrue(p.dialer.isDialer());
        assertFalse(p.acceptor.isDialer());
    }

    @Test
    void s4_emptyTokenOnBothEnds_isValid() {
        EnginePair p = EnginePair.open(TunnelOptions.defaults());
        p.await(p.dialer.session().handshake());
        assertTrue(p.acceptor.isOpen());
    }

    @Test
    void s4_wrongToken_failsBothEndsWithAuthFailed() {
        EnginePair p = new EnginePair(TunnelOptions.builder().authToken("a").build(),
                TunnelOptions.builder().authToken("b").build(), null, null, Integer.MAX_VALUE);
        p.pump();
        for (TunnelImpl t : new TunnelImpl[] {p.dialer, p.acceptor}) {
            CompletionException e = assertThrows(CompletionException.class, () -> t.session().handshake().join());
            HandshakeException h = assertInstanceOf(HandshakeException.class, e.getCause());
            assertEquals(ErrorCode.AUTH_FAILED, h.errorCode());
            assertTrue(t.closeFuture().isDone(), "carrier closed");
        }
        assertTrue(p.dialerCarrier.isClosed());
    }

    @Test
    void s4_handshakeTimeout_closesWithTimeout() {
        ManualLoop loop = new ManualLoop();
        ManualClock clock = new ManualClock();
        ManualCarrier c = new ManualCarrier(loop, true, "lonely");
        TunnelImpl t = new TunnelImpl(c, TunnelOptions.builder().handshakeTimeout(Duration.ofSeconds(2)).build(), null, clock);
        c.listener = t.session();
        loop.runInLoop(t::start);
        clock.advance(Duration.ofMillis(1900));
        loop.runUntilIdle();
        assertFalse(t.session().handshake().isDone());
        clock.advance(Duration.ofMillis(200));
        loop.runUntilIdle();
        HandshakeException h = assertInstanceOf(HandshakeException.class,
                assertThrows(CompletionException.class, () -> t.session().handshake().join()).getCause());
        assertEquals(ErrorCode.TIMEOUT, h.errorCode());
        CloseReason r = t.closeFuture().join();
        assertEquals(ErrorCode.TIMEOUT, r.code());
        assertEquals(CloseReason.Origin.LOCAL, r.origin());
    }
}
