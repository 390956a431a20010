package org.p2pvm.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannelConfig;
import java.util.ArrayDeque;
import java.util.function.IntConsumer;

/**
 * The read side of a virtual channel, as in Netty's HTTP/2 child channels: inbound buffers queue
 * here until a read is requested ({@code autoRead}, or {@code read()}), are then fired into the
 * pipeline, and only then is their flow-control credit returned to the peer. The peer's FIN is acted
 * on once everything before it was read: a close, or input-shutdown events with
 * {@code ALLOW_HALF_CLOSURE}.
 *
 * <p>Runs on the channel's event loop only. Owns the queued buffers: each is released by the
 * pipeline that receives it, or here when the channel closes or discards its input. The queue is
 * bounded by the stream window, since no credit returns for queued bytes.
 */
public final class InboundReader {
    private final Channel channel;
    private final IntConsumer credit;
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private boolean readPending;
    private boolean inReadLoop;
    private boolean eofReceived;
    private boolean eofHandled;
    private boolean streamDone;
    private volatile boolean inputShutdown;

    /**
     * @param channel the virtual channel (its pipeline, config and unsafe)
     * @param credit returns credit to the peer for bytes fired into the pipeline (the connection's
     *     {@code consume})
     */
    public InboundReader(Channel channel, IntConsumer credit) {
        this.channel = channel;
        this.credit = credit;
    }

    /** Whether input is shut down (peer's FIN under half closure, or {@link #shutdownInput()}). */
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    /** A read was requested ({@code doBeginRead}). */
    public void beginRead() {
        readPending = true;
        if (!inReadLoop) {
            readLoop();
        }
    }

    /** Bytes arrived; {@code buf} is owned here from now on. */
    public void data(ByteBuf buf) {
        if (!channel.isOpen() || inputShutdown) {
            int n = buf.readableBytes();
            buf.release();
            if (channel.isOpen()) {
                credit.accept(n); // input shut down: discard, but keep the peer flowing
            }
            return;
        }
        queue.add(buf);
        if (readPending && !inReadLoop) {
            readLoop();
        }
    }

    /** The peer sent FIN. */
    public void eof() {
        eofReceived = true;
        if (queue.isEmpty() && !inReadLoop && channel.isOpen() && !eofHandled) {
            handleEof();
        }
    }

    /** The stream ended cleanly (both FINs): close once everything queued has been read. */
    public void streamDone() {
        streamDone = true;
        if (queue.isEmpty() && !inReadLoop && (eofHandled || !eofReceived) && channel.isOpen()) {
            close();
        }
    }

    /** Drops queued input and everything that comes later, returning its credit. */
    public void shutdownInput() {
        inputShutdown = true;
        int n = 0;
        ByteBuf b;
        while ((b = queue.poll()) != null) {
            n += b.readableBytes();
            b.release();
        }
        if (n > 0) {
            credit.accept(n);
        }
    }

    /** The channel closed: release what nobody will read. */
    public void release() {
        ByteBuf b;
        while ((b = queue.poll()) != null) {
            b.release();
        }
    }

    private void readLoop() {
        inReadLoop = true;
        try {
            while (readPending && !queue.isEmpty() && channel.isOpen()) {
                readPending = false;
                @SuppressWarnings("deprecation")
                RecvByteBufAllocator.Handle handle = channel.unsafe().recvBufAllocHandle();
                handle.reset(channel.config());
                int bytes = 0;
                do {
                    ByteBuf buf = queue.poll();
                    int n = buf.readableBytes();
                    bytes += n;
                    handle.attemptedBytesRead(n);
                    handle.lastBytesRead(n);
                    handle.incMessagesRead(1);
                    channel.pipeline().fireChannelRead(buf);
                } while (!queue.isEmpty() && channel.isOpen() && handle.continueReading());
                // credit for what the pipeline took: the peer may send that much more (§6)
                credit.accept(bytes);
                handle.readComplete();
                // with autoRead the head asks for the next read here, which sets readPending again
                channel.pipeline().fireChannelReadComplete();
            }
        } finally {
            inReadLoop = false;
        }
        if (queue.isEmpty() && channel.isOpen()) {
            if (eofReceived && !eofHandled) {
                handleEof();
            } else if (streamDone) {
                close();
            }
        }
    }

    private void handleEof() {
        eofHandled = true;
        if (channel.config() instanceof DuplexChannelConfig c && c.isAllowHalfClosure()) {
            inputShutdown = true;
            channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            channel.pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
            if (streamDone && channel.isOpen()) {
                close();
            }
        } else {
            close();
        }
    }

    private void close() {
        channel.unsafe().close(channel.unsafe().voidPromise());
    }
}
