package org.p2pvm.engine;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;

/**
 * One physical link as the engine sees it: the small interface every transport implements
 * (PROTOCOL.md §1 "carrier"). A transport is glue: bytes in, gathering writes out, writability,
 * close. It knows nothing about frames.
 *
 * <h2>Threading</h2>
 * {@link #executor()} is the tunnel's serial executor: it runs tasks one at a time, in submission
 * order (a Netty EventLoop, an NIO selector thread, or a {@link SerialExecutor}). The engine calls
 * every method except {@link #executor()} and {@link #inExecutor()} on that executor, and the
 * transport calls every {@link CarrierListener} method on it.
 *
 * <h2>Buffers</h2>
 * The buffers passed to {@link #write} belong to the carrier from the call until
 * {@link WriteCompletion#complete} is called; it must not modify their contents (it may move their
 * positions). After completion they return to the engine (and from it to the application).
 */
public interface Carrier {

    /** The tunnel's serial executor. */
    Executor executor();

    /** Whether the current thread is the executor's thread (calls can run inline). */
    boolean inExecutor();

    /** Whether this end dialled the link (the only asymmetry of §1). */
    boolean isDialer();

    /**
     * Writes {@code count} buffers starting at {@code buffers[0]} as one gathering write, after any
     * earlier write, and calls {@code completion} once every byte has been handed to the link (or the
     * link failed). The engine calls this only while {@link #isWritable()} is true, but the carrier
     * must still accept the write if it became unwritable in between (queue it).
     */
    void write(ByteBuffer[] buffers, int count, WriteCompletion completion);

    /**
     * Whether the carrier can take another batch now. When it turns true again after being false, the
     * carrier calls {@link CarrierListener#onWritable()}.
     */
    boolean isWritable();

    /**
     * Turns reading from the link on or off (inbound backpressure). While off, the carrier does not
     * call {@link CarrierListener#onRead}. On by default.
     */
    void setReadEnabled(boolean enabled);

    /**
     * Closes the link after the writes already given to it are flushed (or at once when
     * {@code flush} is false). Idempotent. The carrier then calls {@link CarrierListener#onClosed}
     * exactly once (unless it already has).
     */
    void close(boolean flush);

    /**
     * {@link #close(boolean)} with the tunnel's reason, for carriers that can tell the peer why at
     * their own level (a WebSocket close code, for instance). The GOAWAY in the byte stream already
     * carries the reason; this is an echo of it. The default ignores the reason.
     */
    default void close(boolean flush, org.p2pvm.CloseReason reason) {
        close(flush);
    }

    /** The local address of the link, for logs and {@link org.p2pvm.Tunnel#carrierLocalAddress()}. */
    SocketAddress localAddress();

    /** The remote address of the link. */
    SocketAddress remoteAddress();

    /** Completion of one {@link #write}. */
    @FunctionalInterface
    interface WriteCompletion {
        /** @param failure null when written, else the cause; called on the executor */
        void complete(Throwable failure);
    }
}
