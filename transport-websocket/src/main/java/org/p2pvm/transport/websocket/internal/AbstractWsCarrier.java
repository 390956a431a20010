package org.p2pvm.transport.websocket.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.HandshakeException;
import org.p2pvm.Tunnel;
import org.p2pvm.VmException;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.transport.websocket.WebSocketCloseCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server (Undertow) and client (JDK) WebSocket carriers share: the write pipeline of one
 * binary message per engine batch with at most one message in flight, close-code bookkeeping, and
 * the once-only {@link CarrierListener#onClosed}. Subclasses move bytes with their library.
 *
 * <h2>Threading</h2>
 * Every method runs on {@link #executor()} (the Undertow connection's I/O thread, or a
 * {@link org.p2pvm.engine.SerialExecutor} for the JDK client); no field needs a lock.
 *
 * <h2>Backpressure</h2>
 * {@link #isWritable()} is false while one batch is in flight (or queued behind it, if the engine
 * raced); {@link CarrierListener#onWritable()} follows its completion. So a slow reader at the other
 * end holds at most one batch ({@code maxBatchBytes}) in this carrier, plus what the library buffers
 * per frame. {@link WriteGauge} counts it.
 *
 * <h2>Buffers</h2>
 * Batch buffers belong to the carrier from {@link #write} until their completion runs; the carrier
 * reads them (the library copies them into its frame buffers) and never modifies their contents.
 */
public abstract class AbstractWsCarrier implements Carrier {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractWsCarrier.class);

    private final WriteGauge gauge;
    private final boolean client;
    protected final long maxMessageBytes;
    protected CarrierListener listener;
    protected boolean readEnabled = true;
    /** Bytes of the inbound message being received, for the message size limit. */
    protected long messageBytes;

    private PendingWrite writing;
    private final ArrayDeque<PendingWrite> queued = new ArrayDeque<>(2);
    /** The engine (or a local failure) asked to close; no new writes, no more reads delivered. */
    protected boolean closing;
    private boolean closeAfterWrite;
    private int closeCode = WebSocketCloseCodes.NORMAL;
    private String closeText = "";
    /** The engine's session and tunnel on this carrier, when the listener is the engine. */
    private TunnelEngine.TunnelSession session;
    private Tunnel tunnel;
    /** Close code for an engine close whose reason this carrier knows in advance (0: none). */
    private int expectedCode;
    private String expectedText = "";
    /** onClosed has been called (or will be, once the listener is set). */
    protected boolean notified;
    private Throwable closedCause;
    private boolean closedBeforeStart;

    protected AbstractWsCarrier(WriteGauge gauge, boolean client, long maxMessageBytes) {
        this.gauge = gauge;
        this.client = client;
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Wires the engine's listener; called on the executor right after {@code TunnelEngine.open}.
     * If the link closed before, {@link CarrierListener#onClosed} is delivered now.
     */
    protected final void setListener(CarrierListener l) {
        this.listener = l;
        if (l instanceof TunnelEngine.TunnelSession) {
            this.session = (TunnelEngine.TunnelSession) l;
            this.tunnel = session.tunnel();
        }
        if (closedBeforeStart) {
            closedBeforeStart = false;
            l.onClosed(closedCause);
        }
    }

    /**
     * Wires the engine's listener and starts moving bytes. Call on the executor right after
     * {@code TunnelEngine.open}, before any inbound byte is delivered.
     */
    public abstract void start(CarrierListener engine);

    // ---- writing ------------------------------------------------------------------------------

    @Override
    public final void write(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        PendingWrite w = new PendingWrite(buffers, count, completion);
        if (closing || notified) {
            executor().execute(() -> completion.complete(new ClosedChannelException()));
            return;
        }
        gauge.add(w.bytes);
        if (writing != null) {
            queued.add(w);
            return;
        }
        begin(w);
    }

    private void begin(PendingWrite w) {
        writing = w;
        if (w.drained()) {
            // complete later, never inside the engine's write call
            executor().execute(() -> writeDone(w, null));
            return;
        }
        startMessage(w);
    }

    /**
     * Starts sending {@code w} as one binary message; the subclass calls {@link #writeDone} once all
     * of it has been handed to the link, or failed.
     */
    protected abstract void startMessage(PendingWrite w);

    /** Completion of the message in flight; ignored when {@code w} is no longer the one in flight. */
    protected final void writeDone(PendingWrite w, Throwable failure) {
        if (writing != w) {
            return;
        }
        writing = null;
        gauge.remove(w.bytes, failure == null);
        w.completion.complete(failure);
        if (failure != null) {
            LOG.debug("{}: write failed: {}", this, failure.toString());
            failQueued(failure);
            linkFailed(failure);
            return;
        }
        if (writing != null) {
            return; // the completion wrote the next batch already
        }
        PendingWrite next = queued.poll();
        if (next != null) {
            begin(next);
            return;
        }
        if (closing) {
            if (closeAfterWrite && !notified) {
                closeAfterWrite = false;
                sendCloseFrame(closeCode, closeText);
            }
            return;
        }
        if (!notified && listener != null) {
            listener.onWritable();
        }
    }

    private void failQueued(Throwable cause) {
        PendingWrite w;
        while ((w = queued.poll()) != null) {
            gauge.remove(w.bytes, false);
            w.completion.complete(cause);
        }
    }

    @Override
    public final boolean isWritable() {
        return writing == null && !closing && !notified;
    }

    // ---- reading ------------------------------------------------------------------------------

    @Override
    public final void setReadEnabled(boolean enabled) {
        if (readEnabled == enabled) {
            return;
        }
        readEnabled = enabled;
        if (!closing && !notified) {
            applyReadEnabled(enabled);
        }
    }

    /** Suspends or resumes reading in the library. */
    protected abstract void applyReadEnabled(boolean enabled);

    /**
     * Delivers part of a binary message to the engine and enforces the message size limit.
     *
     * @param last whether this part ends the message
     * @return false when the carrier is closing and the caller should stop reading
     */
    protected final boolean deliver(ByteBuffer data, boolean last) {
        if (notified || listener == null) {
            data.position(data.limit());
            return false;
        }
        if (closing) {
            // keep reading (and dropping) so the peer's close frame, queued behind data, arrives
            data.position(data.limit());
            return true;
        }
        messageBytes += data.remaining();
        if (messageBytes > maxMessageBytes) {
            failLocally(ErrorCode.FRAME_SIZE_ERROR, "WebSocket message of more than " + maxMessageBytes
                    + " bytes (websocket.maxMessageBytes)");
            return false;
        }
        if (last) {
            messageBytes = 0;
        }
        listener.onRead(data);
        return !notified;
    }

    /** A text message arrived: p2pvm carries binary messages only (PROTOCOL.md §1). */
    protected final void textReceived() {
        failLocally(ErrorCode.PROTOCOL_ERROR, "text WebSocket message received; p2pvm carries binary messages only");
    }

    // ---- closing ------------------------------------------------------------------------------

    @Override
    public final void close(boolean flush) {
        close(flush, null);
    }

    /**
     * Closes with the tunnel's close reason, so the WebSocket close code echoes it
     * ({@link WebSocketCloseCodes#closeCodeFor}): the engine calls this ({@code Carrier.close(boolean,
     * CloseReason)}) when the tunnel closes. The code of a WebSocket rule this end found broken comes
     * first (the engine's reason is then this carrier's own request); {@link #close(boolean)}, and this
     * with a null reason, fall back to the cause of a failed handshake, else 1000.
     *
     * @param reason the tunnel's reason, or null when unknown
     */
    @Override
    public final void close(boolean flush, CloseReason reason) {
        if (notified) {
            return;
        }
        if (closing) {
            if (!flush) {
                abortLink();
                linkClosed(null);
            }
            return;
        }
        closing = true;
        if (expectedCode != 0) {
            // this carrier found a WebSocket rule broken and asked the engine to close; the tunnel's
            // reason is that request, and the specific code (1003 for text) says more than its mapping
            closeCode = expectedCode;
            closeText = expectedText;
        } else if (reason != null) {
            closeCode = WebSocketCloseCodes.closeCodeFor(reason.code(), client);
            closeText = reason.code().name();
        } else {
            ErrorCode known = handshakeFailureCode();
            if (known != null) {
                closeCode = WebSocketCloseCodes.closeCodeFor(known, client);
                closeText = known.name();
            }
        }
        if (flush && !readEnabled) {
            applyReadEnabled(true); // drain inbound data until the peer's close frame
        }
        if (!flush) {
            failQueued(new ClosedChannelException());
            abortLink();
            linkClosed(null);
        } else if (writing != null || !queued.isEmpty()) {
            closeAfterWrite = true;
        } else {
            sendCloseFrame(closeCode, closeText);
        }
    }

    /**
     * Without the engine telling why it closes, the one cause the carrier can learn from the SPI: a
     * failed handshake (AUTH_FAILED, VERSION_MISMATCH, TIMEOUT...) completes the session's handshake
     * future before the engine closes the carrier.
     */
    private ErrorCode handshakeFailureCode() {
        if (session == null || !session.handshake().isCompletedExceptionally()) {
            return null;
        }
        try {
            session.handshake().getNow(null);
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause() instanceof HandshakeException h ? h.reason().code() : null;
        } catch (java.util.concurrent.CancellationException e) {
            return null;
        }
    }

    /**
     * This end found the peer breaking the WebSocket rules of p2pvm: close the link with the
     * matching close code and tell the engine at once, with the cause.
     */
    protected final void failLocally(ErrorCode code, String detail) {
        if (notified) {
            return;
        }
        LOG.debug("{}: closing: {}", this, detail);
        VmException cause = new VmException(code, detail);
        int wsCode = code == ErrorCode.PROTOCOL_ERROR && detail.startsWith("text") && !client
                ? WebSocketCloseCodes.UNSUPPORTED_DATA : WebSocketCloseCodes.closeCodeFor(code, client);
        String text = detail.length() > 100 ? detail.substring(0, 100) : detail;
        if (tunnel != null && !closing) {
            // let the engine fail the tunnel with this code (GOAWAY to the peer, the code in the
            // tunnel's CloseReason); its carrier close then sends our close code after the GOAWAY
            expectedCode = wsCode;
            expectedText = text;
            tunnel.close(code, detail);
            if (closing || !tunnel.isOpen()) {
                // the engine owns the close now: it closes this carrier once its GOAWAY is written
                // (at once, or after the batch in flight completes, or at its linger timeout); closing
                // here first would drop the GOAWAY and the peer would see only a close code
                return;
            }
        }
        closing = true;
        closeAfterWrite = false;
        if (!readEnabled) {
            applyReadEnabled(true);
        }
        sendCloseFrame(wsCode, text);
        linkClosed(cause);
    }

    /**
     * Remembers the tunnel cause of a close this carrier's owner is about to start (e.g. SHUTDOWN
     * when a server stops), so the close frame carries its code even though
     * {@link #close(boolean)} does not say why. Call on the executor.
     */
    public final void expectClose(ErrorCode code) {
        if (!closing && expectedCode == 0) {
            expectedCode = WebSocketCloseCodes.closeCodeFor(code, client);
            expectedText = code.name();
        }
    }

    /** Sends a close frame; the subclass closes the link when the peer answers or a timeout passes. */
    protected abstract void sendCloseFrame(int code, String reason);

    /** Drops the link at once, without a close handshake. */
    protected abstract void abortLink();

    /** The peer sent a close frame with {@code code}. */
    protected final void peerClosed(int code, String reason) {
        if (notified) {
            return;
        }
        Throwable cause = null;
        if (!closing && !WebSocketCloseCodes.isOrderly(code)) {
            ErrorCode mapped = WebSocketCloseCodes.errorCodeFor(code);
            cause = new VmException(mapped, "peer closed the WebSocket with code " + code
                    + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")"));
        }
        linkClosed(cause);
    }

    /** The link failed with an I/O error. */
    protected final void linkFailed(Throwable cause) {
        if (!notified) {
            abortLink();
        }
        linkClosed(cause instanceof IOException || cause instanceof VmException || cause == null ? cause
                : new IOException(cause.getMessage(), cause));
    }

    /** The link is gone: fails whatever is pending and calls onClosed once. */
    protected final void linkClosed(Throwable cause) {
        if (notified) {
            return;
        }
        notified = true;
        closing = true;
        Throwable failure = cause != null ? cause : new ClosedChannelException();
        onLinkClosed(); // first: a carrier may still be reading the in-flight batch's buffers
        PendingWrite w = writing;
        if (w != null) {
            writing = null;
            gauge.remove(w.bytes, false);
            w.completion.complete(failure);
        }
        failQueued(failure);
        if (listener != null) {
            listener.onClosed(cause);
        } else {
            closedBeforeStart = true;
            closedCause = cause;
        }
    }

    /**
     * Releases library resources (timers, buffers) once the link is closed; runs before the pending
     * writes are failed, so the carrier can let go of (or copy) the batch buffers it still reads.
     */
    protected void onLinkClosed() {
    }

    /** Whether this end is the WebSocket client. */
    @Override
    public final boolean isDialer() {
        return client;
    }
}
