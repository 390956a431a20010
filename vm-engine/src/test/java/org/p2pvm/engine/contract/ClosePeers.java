package org.p2pvm.engine.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Raw-socket peers for every transport's carrier-level close tests: the two ends of "the last bytes
 * before a close must arrive".
 *
 * <p>A carrier that closes its socket while the peer still sends makes the kernel answer with RST,
 * and an RST destroys whatever the closing side's kernel had not yet delivered; a carrier that
 * reports the peer's EOF before the bytes that came with it loses them the other way round. Both
 * showed as a stream in progress failing after a graceful GOAWAY (RELIABILITY.md "Open defects").
 * Bytes follow {@link #patternByte} so that a gap or a reorder is caught, not just a short count.
 */
public final class ClosePeers {
    private ClosePeers() {
    }

    /** The byte at {@code offset} of a test payload. */
    public static byte patternByte(long offset) {
        return (byte) (offset % 251);
    }

    /** A payload of {@code n} pattern bytes. */
    public static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = patternByte(i);
        }
        return b;
    }

    /**
     * Reads pattern bytes until EOF in small reads, writing one byte back after every read, so it
     * still sends while the carrier is closing (as an engine sends WINDOW updates for what it
     * consumes). Returns how many bytes arrived; a reset, a failed write or a wrong byte throws.
     */
    public static long readToEofWhileSending(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] buf = new byte[2048];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            for (int i = 0; i < n; i++) {
                if (buf[i] != patternByte(total + i)) {
                    throw new IOException("byte " + (total + i) + " is " + buf[i] + ", expected "
                            + patternByte(total + i));
                }
            }
            total += n;
            out.write(1);
        }
        return total;
    }

    /** Writes {@code n} pattern bytes and closes at once (FIN right behind the last byte). */
    public static void writeThenClose(Socket s, int n) throws IOException {
        s.getOutputStream().write(pattern(n));
        s.close();
    }
}
