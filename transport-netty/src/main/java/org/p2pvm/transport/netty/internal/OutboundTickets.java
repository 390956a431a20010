package org.p2pvm.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.p2pvm.VmConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of a virtual channel: hands flushed {@link ByteBuf}s from the channel's
 * {@link ChannelOutboundBuffer} to the {@link VmConnection} while the connection is writable, and
 * removes each from the outbound buffer (completing its promise) only when the tunnel has written
 * it to the carrier.
 *
 * <p>So bytes count as pending in the outbound buffer until they really left, and the channel's
 * {@code isWritable()} and {@code WriteBufferWaterMark} follow the stream's send window; what the
 * connection cannot take yet stays in the outbound buffer until {@code onWritabilityChanged}.
 *
 * <h2>Threading and buffers</h2>
 * Runs on the channel's event loop; the connection's write listeners may run on the tunnel's
 * executor and are handed over with {@code onLoop}. Each handed-off buffer holds one extra reference
 * of ours, released when the tunnel is done with its bytes, so a channel closed meanwhile (which
 * releases the outbound buffer's reference) never frees memory the tunnel still reads. Payloads are
 * passed as NIO views, not copied.
 */
public final class OutboundTickets {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundTickets.class);

    private final Supplier<ChannelOutboundBuffer> buffer;
    private final Consumer<Runnable> onLoop;
    /** Flushed messages handed to the connection, oldest first, matching the outbound buffer's head. */
    private final ArrayDeque<Ticket> inFlight = new ArrayDeque<>();
    private boolean inWrite;
    private Runnable whenDrained;

    /**
     * @param buffer the channel's current outbound buffer (null once closed or output-shutdown)
     * @param onLoop runs a task on the channel's event loop (inline when already there)
     */
    public OutboundTickets(Supplier<ChannelOutboundBuffer> buffer, Consumer<Runnable> onLoop) {
        this.buffer = buffer;
        this.onLoop = onLoop;
    }

    /** The channel's {@code doWrite}: hands over what the connection can take now. */
    public void write(ChannelOutboundBuffer in, VmConnection connection) throws Exception {
        inWrite = true;
        try {
            int[] skip = {inFlight.size()};
            in.forEachFlushedMessage(msg -> {
                if (skip[0] > 0) {
                    skip[0]--;
                    return true;
                }
                ByteBuf buf = (ByteBuf) msg;
                Ticket t = new Ticket(buf);
                if (!buf.isReadable()) {
                    t.done = true;
                    inFlight.add(t);
                    return true;
                }
                if (!connection.isWritable()) {
                    return false;
                }
                inFlight.add(t);
                t.send(connection);
                return true;
            });
        } finally {
            inWrite = false;
        }
        retire(in);
    }

    /** Messages handed to the connection and not yet written by the tunnel. */
    public int inFlight() {
        return inFlight.size();
    }

    /**
     * Runs {@code task} once every flushed message has been written (at once if none is pending).
     * Used to send FIN only after the data before it, as a socket's shutdownOutput would.
     */
    public void whenDrained(Runnable task) {
        ChannelOutboundBuffer in = buffer.get();
        if (in == null || in.size() == 0) {
            task.run();
        } else {
            Runnable earlier = whenDrained;
            whenDrained = earlier == null ? task : () -> {
                earlier.run();
                task.run();
            };
        }
    }

    /** The channel closed: its outbound buffer failed every entry; our references go with the tickets. */
    public void abandon() {
        inFlight.clear();
        whenDrained = null;
    }

    private void retire(ChannelOutboundBuffer in) {
        if (in == null) {
            inFlight.clear();
            return;
        }
        Ticket t;
        while ((t = inFlight.peek()) != null && t.done) {
            inFlight.poll();
            Object head;
            // cancelled entries (and stray empty ones) are skipped by forEachFlushedMessage: drop them
            while ((head = in.current()) != null && head != t.buf && head instanceof ByteBuf b && !b.isReadable()) {
                in.remove();
            }
            if (in.current() == t.buf) {
                // may fire writability events, and handlers may write again: state is consistent here
                if (t.failure == null) {
                    in.remove();
                } else {
                    in.remove(t.failure);
                }
            } else if (in.current() != null) {
                LOG.warn("virtual channel outbound buffer out of step with the tunnel; head {}", in.current());
            }
        }
        Runnable drained = whenDrained;
        if (drained != null && in.size() == 0) {
            whenDrained = null;
            drained.run();
        }
    }

    /** One message handed to the connection. */
    private final class Ticket implements VmConnection.WriteListener {
        final ByteBuf buf;
        boolean done;
        Throwable failure;

        Ticket(ByteBuf buf) {
            this.buf = buf;
        }

        void send(VmConnection connection) {
            buf.retain();
            int count = buf.nioBufferCount();
            if (count == 1) {
                connection.write(buf.nioBuffer(), this);
            } else if (count > 1) {
                ByteBuffer[] parts = buf.nioBuffers();
                for (int i = 0; i < parts.length - 1; i++) {
                    connection.write(parts[i], null);
                }
                connection.write(parts[parts.length - 1], this);
            } else {
                // no NIO view (a custom ByteBuf): the only copy on this path
                ByteBuffer copy = ByteBuffer.allocate(buf.readableBytes());
                buf.getBytes(buf.readerIndex(), copy);
                copy.flip();
                connection.write(copy, this);
            }
        }

        @Override
        public void onComplete(Throwable cause) {
            buf.release();
            onLoop.accept(() -> {
                done = true;
                failure = cause;
                if (!inWrite) {
                    retire(buffer.get());
                }
            });
        }
    }
}
