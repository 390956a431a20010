package org.p2pvm.examples.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.HandshakeException;
import org.p2pvm.StreamResetException;
import org.p2pvm.TunnelClosedException;

/** One-line descriptions of the failures users meet. */
class FailuresTest {

    @Test
    void futureWrappersAreRemoved() {
        Throwable inner = new ConnectException("Connection refused");
        assertEquals("connection refused",
                Failures.describe(new ExecutionException(new CompletionException(inner))));
    }

    @Test
    void handshakeFailuresNameTheCodeAndHintAtTheCause() {
        HandshakeException auth = new HandshakeException(
                new CloseReason(ErrorCode.AUTH_FAILED, CloseReason.Origin.REMOTE, "bad mac"));
        assertEquals("handshake failed: remote AUTH_FAILED: bad mac (the two ends use different tokens)",
                Failures.describe(auth));
        HandshakeException saysTokens = new HandshakeException(
                new CloseReason(ErrorCode.AUTH_FAILED, CloseReason.Origin.LOCAL, "the tokens differ"));
        assertEquals("handshake failed: local AUTH_FAILED: the tokens differ", Failures.describe(saysTokens));
        assertEquals(ErrorCode.AUTH_FAILED, Failures.errorCode(new CompletionException(auth)));
    }

    @Test
    void streamAndTunnelFailures() {
        assertEquals("stream reset REFUSED: nothing listens on [::99]:1",
                Failures.describe(new StreamResetException(ErrorCode.REFUSED, true, "nothing listens on [::99]:1")));
        assertEquals("tunnel closed: carrier INTERNAL_ERROR: reset by peer", Failures.describe(
                new TunnelClosedException(new CloseReason(ErrorCode.INTERNAL_ERROR, CloseReason.Origin.CARRIER,
                        "reset by peer"))));
    }

    @Test
    void networkFailuresReadLikeTheOperatingSystemSaysThem() {
        assertEquals("address already in use",
                Failures.describe(new IOException("cannot listen", new BindException("Address already in use"))));
        assertEquals("cannot resolve the host name", Failures.describe(new UnknownHostException("nope.invalid")));
        assertEquals("cannot connect (network is unreachable)",
                Failures.describe(new ConnectException("Network is unreachable")));
        assertEquals("address already in use",
                Failures.describe(new IOException("bind(..) failed with error(-98): Address already in use")));
    }

    @Test
    void unexpectedExceptionsKeepTheirName() {
        assertEquals("NullPointerException: x is null", Failures.describe(new NullPointerException("x is null")));
        assertEquals("UnsupportedOperationException", Failures.describe(new UnsupportedOperationException()));
        assertNull(Failures.errorCode(new IOException("plain")));
    }
}
