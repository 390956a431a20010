package org.p2pvm;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One virtual connection: a duplex byte stream inside a tunnel (PROTOCOL.md §5), the virtual
 * counterpart of a TCP socket.
 *
 * <h2>Reading</h2>
 * Inbound data is delivered to the {@link Handler} set with {@link #setHandler}, on the tunnel's
 * executor. Until a handler is set, or while reading is paused, data waits inside the engine; the
 * peer cannot send more than the stream window (§6), so waiting data is bounded. Flow-control
 * credit is returned to the peer when data is <em>consumed</em>: when {@link Handler#onData}
 * returns (automatic mode), or when the application calls {@link #consume(int)} (manual mode).
 * Alternatively, {@link #inputStream()} gives a blocking reader.
 *
 * <h2>Writing</h2>
 * {@link #write(ByteBuffer)} never blocks; it queues the buffer and the fair writer sends it in
 * fragments as the windows allow (§6, §7). {@link #isWritable()} turns false while more than
 * {@link TunnelOptions#streamWriteHighWaterMark()} bytes wait, and
 * {@link Handler#onWritabilityChanged} announces changes: respect it and memory stays bounded.
 * {@link #outputStream()} gives a blocking writer that does.
 *
 * <h2>Buffer ownership</h2>
 * <ul>
 *   <li>A buffer passed to {@code write} belongs to the engine from the call until its completion
 *       (future or listener): do not modify it or its position/limit until then. Its bytes are not
 *       copied; they go to the carrier as they are (§7 zero copy), sometimes as the buffer object
 *       itself with its position moved; position and limit are as given again at completion. So
 *       one buffer object must not be in two pending writes at once (on any connection): write
 *       {@code duplicate()}s of a shared buffer.
 *   <li>A buffer passed to {@link Handler#onData} is valid only during that call. It may be the
 *       carrier's read buffer itself, limited to this piece (its position is not 0 in general): read
 *       it relatively, copy what you need to keep, and do not write into it.
 * </ul>
 *
 * <h2>Closing</h2>
 * {@link #shutdownOutput()} sends FIN after the queued data (half close). {@link #close()} does the
 * same and then discards anything the peer still sends. {@link #reset(ErrorCode)} aborts both
 * directions at once (RESET). A connection whose tunnel closes fails with
 * {@link TunnelClosedException}; one reset by the peer with {@link StreamResetException}.
 *
 * <p>All methods are thread-safe.
 */
public interface VmConnection extends AutoCloseable {

    /** The stream id (§5): odd when the dialer opened it, even when the acceptor did. */
    int streamId();

    /** This end's virtual address: the destination for an accepted stream, the source for an opened one. */
    VmAddress localAddress();

    /** The other end's virtual address. */
    VmAddress remoteAddress();

    /** The tunnel this connection lives in. */
    Tunnel tunnel();

    /**
     * Completes when the stream is established: ACCEPT received (opener) or sent (acceptor). Fails
     * with {@link StreamResetException} when refused.
     */
    CompletableFuture<VmConnection> established();

    /** Sets the handler in automatic-consume mode; see {@link #setHandler(Handler, boolean)}. */
    default void setHandler(Handler handler) {
        setHandler(handler, true);
    }

    /**
     * Sets the handler that receives this connection's events, and starts delivering data to it.
     *
     * @param autoConsume when true, data counts as consumed when {@link Handler#onData} returns; when
     *     false, the application reports consumption with {@link #consume(int)} and no more than the
     *     stream window is ever delivered unconsumed
     */
    void setHandler(Handler handler, boolean autoConsume);

    /** Reports {@code bytes} delivered bytes as consumed (manual mode), returning credit to the peer. */
    void consume(int bytes);

    /** Queues {@code data} for sending; the future completes when the carrier has taken its last byte. */
    CompletableFuture<Void> write(ByteBuffer data);

    /**
     * Queues {@code data} for sending without allocating a future.
     *
     * @param listener called on the tunnel's executor once the bytes are written or have failed;
     *     may be {@code null}
     */
    void write(ByteBuffer data, WriteListener listener);

    /** Whether fewer than the high water mark of bytes wait to be sent. */
    boolean isWritable();

    /** Bytes queued on this connection and not yet handed to the carrier. */
    long pendingWriteBytes();

    /** Sends FIN after everything queued; completes when FIN is written. Idempotent. */
    CompletableFuture<Void> shutdownOutput();

    /** Stops delivering data to the handler; credit stops flowing back, so the peer stalls. */
    void pauseReading();

    /** Resumes delivery after {@link #pauseReading()}. */
    void resumeReading();

    /** Aborts the stream with RESET {@code code} (§5); queued data is dropped. Idempotent. */
    void reset(ErrorCode code);

    /** Half-closes as {@link #shutdownOutput()}, then discards input until the peer's FIN. */
    @Override
    void close();

    /** Whether the stream has not yet closed (both FINs, or a RESET, or the tunnel's end). */
    boolean isOpen();

    /** Whether the peer has sent FIN (end of input). */
    boolean isInputShutdown();

    /** Whether this end has queued its FIN. */
    boolean isOutputShutdown();

    /**
     * Completes when the stream has closed: normally after both FINs, exceptionally with
     * {@link StreamResetException} or {@link TunnelClosedException}.
     */
    CompletableFuture<Void> closeFuture();

    /**
     * A blocking reader over this connection; it takes the handler role (manual consume), so use
     * either it or a handler. Reads block until data, end of input (-1), or failure (the
     * {@link VmException} cause). Credit returns as bytes are read.
     */
    InputStream inputStream();

    /**
     * A blocking writer: {@code write} blocks while the connection is not writable; {@code close}
     * sends FIN. Do not call it on the tunnel's executor.
     */
    OutputStream outputStream();

    /**
     * Completion of one write: called on the tunnel's executor.
     */
    @FunctionalInterface
    interface WriteListener {
        /**
         * @param failure null when the bytes were handed to the carrier, else why they never will be
         */
        void onComplete(Throwable failure);
    }

    /**
     * Receives a connection's events on the tunnel's executor. Methods must not block. Exceptions
     * thrown from them reset the stream with {@link ErrorCode#INTERNAL_ERROR}.
     */
    interface Handler {
        /** Data arrived. {@code data} is valid only during this call (see the class javadoc). */
        void onData(VmConnection connection, ByteBuffer data);

        /** The peer sent FIN: no more data will come. */
        default void onInputShutdown(VmConnection connection) {
        }

        /** {@link VmConnection#isWritable()} changed. */
        default void onWritabilityChanged(VmConnection connection) {
        }

        /**
         * The stream closed; the last event.
         *
         * @param failure null for a clean close (both FINs), else the {@link VmException} that ended it
         */
        default void onClosed(VmConnection connection, Throwable failure) {
        }
    }
}
