package org.p2pvm.engine.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.StreamResetException;
import org.p2pvm.TunnelClosedException;

/** Assertions and stream helpers shared by the contract scenarios. */
final class ContractAssertions {
    private ContractAssertions() {
    }

    static StreamResetException assertReset(Throwable failure, ErrorCode code) {
        StreamResetException e = assertInstanceOf(StreamResetException.class, failure, "expected a RESET " + code);
        assertEquals(code, e.errorCode(), e.toString());
        return e;
    }

    static void assertTunnelClosed(Throwable failure, ErrorCode code, CloseReason.Origin origin) {
        TunnelClosedException e = assertInstanceOf(TunnelClosedException.class, failure);
        assertEquals(code, e.reason().code(), e.toString());
        assertEquals(origin, e.reason().origin(), e.toString());
    }

    static void assertCarrierFailure(Throwable failure) {
        TunnelClosedException e = assertInstanceOf(TunnelClosedException.class, failure,
                "a stream of a dropped carrier must fail with TunnelClosedException");
        assertEquals(CloseReason.Origin.CARRIER, e.reason().origin(), e.toString());
    }

    static byte[] sha256Of(InputStream in) throws java.io.IOException {
        MessageDigest md = Payload.sha256();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            md.update(buf, 0, n);
        }
        return md.digest();
    }

    static void writeInPieces(OutputStream out, byte[] data, SplittableRandom random)
            throws java.io.IOException {
        int at = 0;
        while (at < data.length) {
            int n = Math.min(data.length - at, 1 + random.nextInt(20_000));
            out.write(data, at, n);
            at += n;
        }
    }
}
