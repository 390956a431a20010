package org.p2pvm.transport.nio.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ByteLink} that runs TLS over a non-blocking {@link SocketChannel} with an {@link SSLEngine}
 * (built by {@code TlsContexts}, so protocols, SNI, hostname verification and client authentication
 * are those of the {@code TlsOptions}).
 *
 * <h2>Buffers (all owned by this link)</h2>
 * <ul>
 * <li>{@code netIn}: ciphertext read from the socket and not yet unwrapped (write mode). A record may
 *     be split at any byte: {@code BUFFER_UNDERFLOW} keeps the partial record and reads more; it grows
 *     to the session's packet size if a record does not fit.</li>
 * <li>{@code appIn}: plaintext unwrapped but not yet handed out (read mode), used only when the
 *     caller's buffer is smaller than one record ({@code BUFFER_OVERFLOW} otherwise).</li>
 * <li>{@code netOut}: records (data, handshake, alerts, close_notify) waiting for the socket (write
 *     mode), room for {@value #OUT_RECORDS} records: that bounds what {@link #write} takes ahead of
 *     the socket; every wrap passes the caller's whole buffer array, so SSLEngine gathers as many
 *     buffers into one record as fit.</li>
 * </ul>
 *
 * <h2>Handshake and post-handshake messages</h2>
 * The handshake starts at construction; whatever the engine wants to send (handshake messages,
 * TLS 1.3 KeyUpdate answers, NewSessionTickets, alerts) is wrapped into {@code netOut} as soon as it
 * wants it, after every unwrap and before every data wrap. Application writes taken before the
 * handshake finished return 0 with {@link #writeNeedsInput()} true, so the carrier retries after its
 * next read instead of waiting for OP_WRITE. Renegotiation is not asked for (TLS 1.3 has none; a
 * TLS 1.2 peer's is left to the JDK, which refuses unsafe ones).
 *
 * <h2>Delegated tasks</h2>
 * Run inline on the loop thread (certificate checks and key agreement take about a millisecond on
 * loopback with EC keys): a first version. Handing them to an executor and resuming on the loop is
 * the next step for servers that accept many handshakes at once.
 *
 * <h2>Errors</h2>
 * An {@link SSLException} is rewritten by {@link TlsErrors} into a message that says what failed
 * (untrusted certificate, host name mismatch, missing client certificate, a peer that does not speak
 * TLS); before it is thrown, the alert the engine made is sent best-effort so the peer learns why.
 *
 * <p>Loop thread only. Never blocks.
 */
final class TlsByteLink implements ByteLink {
    private static final Logger LOG = LoggerFactory.getLogger(TlsByteLink.class);
    static final int OUT_RECORDS = 4;
    private static final ByteBuffer[] NO_DATA = {ByteBuffer.allocate(0)};
    /** Bound on consecutive handshake wraps (each produces bytes or stops): guards against a spin. */
    private static final int MAX_HANDSHAKE_WRAPS = 64;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final String peer;
    private ByteBuffer netIn;
    private ByteBuffer appIn;
    private ByteBuffer netOut;
    private boolean handshakeDone;
    private boolean needsInput;
    /** The last unwrap wanted more ciphertext than netIn holds: buffered input is not usable yet. */
    private boolean partialRecord;
    /** The last unwrap made no progress because the engine's answer could not be wrapped yet. */
    private boolean blockedOnOutput;
    private boolean outboundClosing;
    private boolean closed;

    TlsByteLink(SocketChannel channel, SSLEngine engine, String peer) throws IOException {
        this.channel = channel;
        this.engine = engine;
        this.peer = peer;
        int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        this.appIn.flip();
        this.netOut = ByteBuffer.allocate(packet * OUT_RECORDS);
        try {
            engine.beginHandshake();
        } catch (SSLException e) {
            throw TlsErrors.explain(e, peer, false);
        }
    }

    /** Whether the TLS handshake has finished (for tests and logs). */
    boolean handshakeDone() {
        return handshakeDone;
    }

    SSLEngine engine() {
        return engine;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (appIn.hasRemaining()) {
            return drainAppIn(dst);
        }
        if (engine.isInboundDone()) {
            return -1; // the peer's close_notify came with the last data handed out
        }
        int total = 0;
        boolean useAppIn = false;
        blockedOnOutput = false;
        for (;;) {
            if (netIn.position() > 0 && !partialRecord) {
                int appSize = engine.getSession().getApplicationBufferSize();
                ByteBuffer target = !useAppIn && dst.remaining() >= appSize ? dst : appIn.clear();
                SSLEngineResult r;
                netIn.flip();
                try {
                    r = engine.unwrap(netIn, target);
                } catch (SSLException e) {
                    throw failed(e);
                } finally {
                    netIn.compact();
                    if (target == appIn) {
                        appIn.flip();
                    }
                }
                afterOperation(r, true);
                switch (r.getStatus()) {
                    case OK:
                        if (target == appIn) {
                            if (appIn.hasRemaining()) {
                                return total + drainAppIn(dst);
                            }
                        } else {
                            total += r.bytesProduced();
                        }
                        if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                            // the engine waits for its own output to leave first (netOut full)
                            blockedOnOutput = true;
                            return total;
                        }
                        continue;
                    case BUFFER_OVERFLOW:
                        if (target == dst) {
                            if (total > 0) {
                                return total;
                            }
                            useAppIn = true;
                        } else {
                            appIn = ByteBuffer.allocate(Math.max(appSize, 2 * appIn.capacity()));
                            appIn.flip();
                        }
                        continue;
                    case BUFFER_UNDERFLOW:
                        partialRecord = true;
                        int packet = engine.getSession().getPacketBufferSize();
                        if (netIn.capacity() < packet) {
                            netIn = ByteBuffer.allocate(packet).put(netIn.flip());
                        }
                        break;
                    case CLOSED:
                        // the peer's close_notify: its output ended (our answer, if any, went out above)
                        return total > 0 ? total : -1;
                    default:
                        throw new IllegalStateException("unexpected unwrap status " + r.getStatus());
                }
            }
            if (total > 0 && dst.remaining() < engine.getSession().getApplicationBufferSize()) {
                return total;
            }
            if (!netIn.hasRemaining()) {
                return total; // cannot happen (a full netIn holds a record); never spin on a read of 0
            }
            int n = channel.read(netIn);
            if (n < 0) {
                if (total > 0) {
                    return total; // the next read sees the end again
                }
                endOfInput();
                return -1;
            }
            if (n == 0) {
                return total;
            }
            partialRecord = false;
        }
    }

    private int drainAppIn(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), appIn.remaining());
        int limit = appIn.limit();
        appIn.limit(appIn.position() + n);
        dst.put(appIn);
        appIn.limit(limit);
        return n;
    }

    /** The socket's EOF: fine after a close_notify or the handshake; a clear error during the handshake. */
    private void endOfInput() throws IOException {
        try {
            engine.closeInbound();
        } catch (SSLException e) {
            if (!handshakeDone) {
                throw TlsErrors.eofInHandshake(peer, e);
            }
            // no close_notify: the tunnel's own GOAWAY framing tells a truncated stream from a finished one
            LOG.debug("TLS peer {} closed without close_notify", peer);
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        needsInput = false;
        if (!flushNet()) {
            return 0;
        }
        if (!handshakeDone) {
            wrapHandshake();
            flushNet();
            if (!handshakeDone) {
                needsInput = waitsForInput();
                return 0;
            }
        }
        long taken = 0;
        int off = offset;
        int end = offset + length;
        while (off < end) {
            SSLEngineResult r;
            try {
                r = wrapOnce(srcs, off, end - off);
            } catch (SSLException e) {
                throw failed(e);
            }
            if (r == null) {
                break; // netOut full: the socket has to take some first
            }
            if (r.getStatus() == Status.CLOSED) {
                throw new SSLException("TLS output to " + peer + " is closed");
            }
            taken += r.bytesConsumed();
            while (off < end && !srcs[off].hasRemaining()) {
                off++;
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
                needsInput = waitsForInput();
                break;
            }
        }
        flushNet();
        if (taken == 0 && !needsInput) {
            needsInput = waitsForInput() && netOut.position() == 0;
        }
        return taken;
    }

    @Override
    public boolean writeNeedsInput() {
        return needsInput;
    }

    @Override
    public boolean hasPendingOutput() {
        return netOut.position() > 0 || engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP;
    }

    @Override
    public boolean hasBufferedInput() {
        return appIn.hasRemaining() || (netIn.position() > 0 && !partialRecord && !blockedOnOutput);
    }

    @Override
    public boolean flushPendingOutput() throws IOException {
        wrapHandshake();
        return flushNet() && engine.getHandshakeStatus() != HandshakeStatus.NEED_WRAP;
    }

    /**
     * Sends close_notify (wrapped once, then flushed as the socket takes it) and, once everything has
     * left, the TCP FIN.
     */
    @Override
    public boolean shutdownOutput() throws IOException {
        if (!outboundClosing) {
            outboundClosing = true;
            engine.closeOutbound();
        }
        for (int i = 0; i < MAX_HANDSHAKE_WRAPS && !engine.isOutboundDone(); i++) {
            SSLEngineResult r = wrapOnce(NO_DATA, 0, 1);
            if (r == null || r.bytesProduced() == 0) {
                break;
            }
        }
        if (!flushNet() || !engine.isOutboundDone()) {
            return false;
        }
        channel.shutdownOutput();
        return true;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        engine.closeOutbound();
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {} failed", channel, e);
        }
    }

    /** Wraps whatever the engine wants to send by itself (handshake, KeyUpdate, tickets, alerts). */
    private void wrapHandshake() throws IOException {
        for (int i = 0; i < MAX_HANDSHAKE_WRAPS; i++) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            if (hs == HandshakeStatus.NEED_TASK) {
                runTasks();
                continue;
            }
            if (hs != HandshakeStatus.NEED_WRAP) {
                noteState(hs);
                return;
            }
            SSLEngineResult r;
            try {
                r = wrapOnce(NO_DATA, 0, 1);
            } catch (SSLException e) {
                throw failed(e);
            }
            if (r == null || (r.bytesProduced() == 0 && r.getHandshakeStatus() == HandshakeStatus.NEED_WRAP)) {
                return; // netOut full, or nothing to make now
            }
        }
    }

    /**
     * One wrap into {@code netOut}, making room first by flushing.
     *
     * @return null when netOut has no room for a record because the socket takes nothing
     */
    private SSLEngineResult wrapOnce(ByteBuffer[] srcs, int off, int len) throws IOException {
        int packet = engine.getSession().getPacketBufferSize();
        if (netOut.remaining() < packet) {
            flushNet();
            if (netOut.remaining() < packet) {
                if (netOut.position() > 0) {
                    return null;
                }
                netOut = ByteBuffer.allocate(packet * OUT_RECORDS);
            }
        }
        SSLEngineResult r = engine.wrap(srcs, off, len, netOut);
        if (r.getStatus() == Status.BUFFER_OVERFLOW) {
            return null; // cannot happen with a packet's room; try again once the socket took some
        }
        afterOperation(r, false);
        return r;
    }

    /** Runs delegated tasks, notes the end of the handshake and answers what the engine wants sent. */
    private void afterOperation(SSLEngineResult r, boolean unwrap) throws IOException {
        HandshakeStatus hs = r.getHandshakeStatus();
        if (hs == HandshakeStatus.FINISHED) {
            handshakeDone = true;
            LOG.debug("TLS handshake with {} done: {} {}", peer, engine.getSession().getProtocol(),
                    engine.getSession().getCipherSuite());
        }
        if (hs == HandshakeStatus.NEED_TASK) {
            runTasks();
            hs = engine.getHandshakeStatus();
        }
        noteState(hs);
        if (unwrap && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            // an answer is due (handshake flight, KeyUpdate, close_notify): send it now
            wrapHandshake();
            flushNet();
        }
    }

    private void noteState(HandshakeStatus hs) {
        if (!handshakeDone && hs == HandshakeStatus.NOT_HANDSHAKING && !engine.isInboundDone()
                && !engine.isOutboundDone()) {
            handshakeDone = true;
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private boolean waitsForInput() {
        HandshakeStatus hs = engine.getHandshakeStatus();
        return hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN;
    }

    /** @return true when netOut is empty */
    private boolean flushNet() throws IOException {
        if (netOut.position() == 0) {
            return true;
        }
        netOut.flip();
        try {
            if (channel.write(netOut) > 0) {
                blockedOnOutput = false; // the engine's answer can go on: buffered input is usable again
            }
        } finally {
            netOut.compact();
        }
        return netOut.position() == 0;
    }

    /** Sends the alert the engine made for a failure (best effort) and explains the failure. */
    private IOException failed(SSLException e) {
        try {
            for (int i = 0; i < 4 && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP; i++) {
                SSLEngineResult r = engine.wrap(NO_DATA, netOut);
                if (r.bytesProduced() == 0) {
                    break;
                }
            }
            flushNet();
        } catch (IOException | RuntimeException ignored) {
            // the failure itself is what matters
        }
        return TlsErrors.explain(e, peer, !handshakeDone, sentNoCertificate());
    }

    private boolean sentNoCertificate() {
        if (!engine.getUseClientMode()) {
            return false;
        }
        javax.net.ssl.SSLSession s = engine.getHandshakeSession() != null ? engine.getHandshakeSession()
                : engine.getSession();
        return s.getLocalCertificates() == null || s.getLocalCertificates().length == 0;
    }

    @Override
    public String toString() {
        return "TLS link to " + peer;
    }
}
