package org.p2pvm.transport.nio.internal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The byte layer between a carrier and its socket: plain TCP ({@link PlainByteLink}) today, and the
 * seam where TLS over {@code SSLEngine} goes (issue 7) without touching the carrier's queueing,
 * writability or close logic. A TLS link consumes plaintext in {@link #write}, keeps the records it
 * could not send yet as its own pending output, and decrypts in {@link #read}.
 *
 * <p>Loop thread only. Non-blocking: every method returns at once.
 */
interface ByteLink {

    /**
     * Reads application bytes into {@code dst}.
     *
     * @return bytes read; 0 when none are available now (for TLS also: only part of a record); -1 at
     *     the end of the stream
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Takes application bytes from {@code srcs[offset .. offset+length)}, advancing their positions.
     *
     * @return bytes taken; 0 when the socket cannot take more now (wait for OP_WRITE)
     */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /**
     * Whether the last {@link #write} took nothing because the link waits for the peer (a TLS
     * handshake in progress), not because the socket is full: the carrier then does not wait for
     * OP_WRITE (which would spin) but retries after the next read. Always false for plain TCP.
     */
    boolean writeNeedsInput();

    /**
     * Whether bytes the link made itself (TLS records, handshake messages, close_notify) still wait
     * for the socket. Always false for plain TCP.
     */
    boolean hasPendingOutput();

    /**
     * Writes as much pending output as the socket takes.
     *
     * @return true when none is left
     */
    boolean flushPendingOutput() throws IOException;

    /**
     * Ends the output after everything written (TCP FIN; for TLS close_notify first, then FIN) while
     * input may still arrive. Call only once {@link #hasPendingOutput()} is false.
     */
    void shutdownOutput() throws IOException;

    /** Closes the link and its socket at once. Idempotent. */
    void close();
}
