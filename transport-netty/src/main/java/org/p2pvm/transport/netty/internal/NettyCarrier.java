package org.p2pvm.transport.netty.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.VoidChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Carrier} over one Netty {@link Channel}: the last handler of the channel's pipeline.
 * It lends each inbound {@link ByteBuf} to the engine as NIO views and sends each engine batch as
 * direct {@link ByteBuf}s (direct buffers wrapped, heap ones copied once) with one flush.
 *
 * <h2>Threading</h2>
 * Everything runs on the channel's {@link io.netty.channel.EventLoop}, which is the tunnel's serial
 * executor. {@link #start()} must run there too.
 *
 * <h2>Buffers</h2>
 * An inbound {@code ByteBuf} is owned by this handler: it is released right after
 * {@link CarrierListener#onRead} returns (the engine keeps no reference), or, while reading is
 * disabled or the engine is not started yet, after it has been delivered later. Outbound
 * {@code ByteBuffer}s stay the engine's; the wrapping {@code ByteBuf} is released by Netty once
 * written, which does not touch the wrapped memory. The batch's heap buffers are copied into one
 * pooled direct {@code ByteBuf} per batch, which Netty releases once written.
 *
 * <h2>Re-entrancy</h2>
 * Netty may complete a write, or report writability, synchronously inside {@code writeAndFlush}.
 * Such completions and {@link CarrierListener#onWritable()} calls are deferred to a later event-loop
 * task, so the engine is never re-entered from inside its own {@link #write} call. Completions keep
 * their order.
 */
public final class NettyCarrier extends ChannelInboundHandlerAdapter implements Carrier {
    private static final Logger LOG = LoggerFactory.getLogger(NettyCarrier.class);

    /** Longest a flushing close waits for outstanding writes. */
    static final int FLUSH_CLOSE_LIMIT_SECONDS = 5;

    private final Channel channel;
    private final boolean dialer;
    private final boolean startOnActive;
    private final Function<NettyCarrier, CarrierListener> opener;
    private final CompletableFuture<Tunnel> handshake = new CompletableFuture<>();

    private ChannelHandlerContext ctx;
    private CarrierListener listener;
    private boolean started;
    private boolean readEnabled = true;
    private boolean closing;
    private boolean closedNotified;
    private Throwable failure;
    /** Inbound buffers waiting while reading is off or before {@link #start()}; owned here. */
    private final ArrayDeque<ByteBuf> held = new ArrayDeque<>();
    private boolean drainScheduled;

    private boolean inWrite;
    private boolean writablePending;
    /** Writes handed to Netty whose completion the engine has not been given yet. */
    private int outstanding;
    private boolean closeWhenIdle;
    private final ArrayDeque<Runnable> deferredCompletions = new ArrayDeque<>();
    /** For every part of a batch but the last: reusable, and it reports nothing (the last part's promise does). */
    private final VoidChannelPromise quietPromise;
    private boolean completionDrainScheduled;

    /**
     * @param channel the channel this handler will be added to
     * @param dialer whether this end dialled the link
     * @param startOnActive start the engine as soon as the channel is active (a fresh connection);
     *     false when an upgrade calls {@link #start()} itself
     * @param opener starts the engine on this carrier (normally {@code TunnelEngine.open}) and returns
     *     its listener; its {@code handshake()} future is not read here, see
     *     {@link #completeHandshakeFrom}
     */
    public NettyCarrier(Channel channel, boolean dialer, boolean startOnActive,
            Function<NettyCarrier, CarrierListener> opener) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.dialer = dialer;
        this.startOnActive = startOnActive;
        this.opener = Objects.requireNonNull(opener, "opener");
        this.quietPromise = new VoidChannelPromise(channel, false);
    }

    /**
     * A carrier that starts the p2pvm engine ({@link TunnelEngine#open}) on itself.
     *
     * @param onOpen runs on the event loop when the handshake succeeded, before later frames; may be
     *     null. An exception it throws is logged and closes the tunnel with INTERNAL_ERROR.
     */
    public static NettyCarrier forEngine(Channel channel, boolean dialer, boolean startOnActive,
            TunnelOptions options, Consumer<? super Tunnel> onOpen) {
        return forEngine(channel, dialer, startOnActive, options, onOpen, null);
    }

    /**
     * As {@link #forEngine(Channel, boolean, boolean, TunnelOptions, Consumer)}, for a carrier a server
     * accepted: counted against the server's accept backlog {@code gate} (PROTOCOL.md §10), or not
     * counted when {@code gate} is null.
     */
    public static NettyCarrier forEngine(Channel channel, boolean dialer, boolean startOnActive,
            TunnelOptions options, Consumer<? super Tunnel> onOpen, org.p2pvm.engine.HandshakeGate gate) {
        Objects.requireNonNull(options, "options");
        Consumer<Tunnel> guarded = onOpen == null ? null : tunnel -> {
            try {
                onOpen.accept(tunnel);
            } catch (Throwable t) {
                LOG.error("{}: the tunnel-open callback failed; closing the tunnel", channel, t);
                tunnel.close(ErrorCode.INTERNAL_ERROR, "tunnel-open callback failed");
            }
        };
        return new NettyCarrier(channel, dialer, startOnActive, carrier -> {
            TunnelEngine.TunnelSession session = gate == null ? TunnelEngine.open(carrier, options, guarded)
                    : TunnelEngine.accept(carrier, options, guarded, gate);
            carrier.completeHandshakeFrom(session.handshake());
            return session;
        });
    }

    /** Completes with the tunnel once its handshake succeeded; fails when it could not open. */
    public CompletableFuture<Tunnel> handshake() {
        return handshake;
    }

    /** Mirrors {@code source} into {@link #handshake()}; the opener calls it with the engine's future. */
    public void completeHandshakeFrom(CompletableFuture<Tunnel> source) {
        source.whenComplete((t, e) -> {
            if (e != null) {
                handshake.completeExceptionally(e);
            } else {
                handshake.complete(t);
            }
        });
    }

    /** The channel this carrier rides on. */
    public Channel channel() {
        return channel;
    }

    // ---- lifecycle (event loop) ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (startOnActive && ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (startOnActive) {
            start();
        }
        ctx.fireChannelActive();
    }

    /**
     * Starts the engine on this carrier (sends HELLO) and then delivers any bytes held so far. Runs on
     * the event loop, after this handler was added. Idempotent.
     */
    public void start() {
        if (started) {
            return;
        }
        started = true;
        try {
            listener = Objects.requireNonNull(opener.apply(this), "opener returned null");
        } catch (Throwable t) {
            LOG.warn("could not start a tunnel on {}", channel, t);
            handshake.completeExceptionally(t);
            releaseHeld();
            channel.close();
            return;
        }
        if (!channel.isActive()) {
            notifyClosed(failure != null ? failure : new ClosedChannelException());
            return;
        }
        drainHeld();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            // a handler the application kept in front of the carrier produced something else: not ours
            LOG.warn("{}: dropping a {} that reached the tunnel carrier (only ByteBuf is carried)", channel,
                    msg.getClass().getName());
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closing || closedNotified) {
            buf.release();
        } else if (!started || !readEnabled || !held.isEmpty()) {
            held.add(buf);
        } else {
            deliver(buf);
        }
    }

    /** Lends {@code buf} to the engine and releases it; holds the rest if reading is turned off meanwhile. */
    private void deliver(ByteBuf buf) {
        try {
            int count = buf.nioBufferCount();
            if (count == 1) {
                listener.onRead(buf.nioBuffer());
            } else if (count > 1) {
                ByteBuffer[] parts = buf.nioBuffers();
                int offset = buf.readerIndex();
                for (int i = 0; i < parts.length; i++) {
                    if (i > 0 && (!readEnabled || closing)) {
                        if (!closing) {
                            held.addFirst(buf.retainedSlice(offset, buf.writerIndex() - offset));
                        }
                        break;
                    }
                    offset += parts[i].remaining();
                    listener.onRead(parts[i]);
                }
            } else {
                // no NIO view (a custom ByteBuf): the only case where the carrier copies
                ByteBuffer copy = ByteBuffer.allocate(buf.readableBytes());
                buf.getBytes(buf.readerIndex(), copy);
                copy.flip();
                listener.onRead(copy);
            }
        } catch (Throwable t) {
            LOG.error("{}: the tunnel engine failed on inbound bytes", channel, t);
            failure = failure == null ? t : failure;
            channel.close();
        } finally {
            buf.release();
        }
    }

    private void drainHeld() {
        while (!held.isEmpty() && readEnabled && !closing && !closedNotified) {
            deliver(held.poll());
        }
        if (closing || closedNotified) {
            releaseHeld();
        }
    }

    private void releaseHeld() {
        ByteBuf b;
        while ((b = held.poll()) != null) {
            b.release();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null && channel.isWritable() && !closedNotified) {
            if (inWrite) {
                writablePending = true;
            } else {
                listener.onWritable();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        LOG.debug("{}: carrier failed", channel, cause);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        notifyClosed(failure);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseHeld();
        if (!closedNotified && started) {
            notifyClosed(new IOException("the tunnel carrier handler was removed from " + channel.pipeline()));
        }
    }

    private void notifyClosed(Throwable cause) {
        releaseHeld();
        if (closedNotified) {
            return;
        }
        closedNotified = true;
        if (listener == null) {
            handshake.completeExceptionally(cause != null ? cause
                    : new IOException("carrier " + channel + " closed before the tunnel started"));
            return;
        }
        runDeferredCompletions();
        listener.onClosed(cause);
    }

    // ---- Carrier (event loop) ----

    @Override
    public Executor executor() {
        return channel.eventLoop();
    }

    @Override
    public boolean inExecutor() {
        return channel.eventLoop().inEventLoop();
    }

    @Override
    public boolean isDialer() {
        return dialer;
    }

    @Override
    public void write(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        outstanding++;
        inWrite = true;
        try {
            ByteBuf last = writeAllButLast(buffers, count);
            // one flush per batch; an earlier part's failure closes the channel and so fails this one
            ctx.writeAndFlush(last).addListener(f -> onWriteDone(completion, f.cause()));
        } finally {
            inWrite = false;
        }
        if (writablePending) {
            writablePending = false;
            channel.eventLoop().execute(() -> {
                if (channel.isWritable() && !closedNotified) {
                    listener.onWritable();
                }
            });
        }
    }

    /**
     * Hands the batch to Netty as one outbound message per non-empty buffer, all but the last written
     * here (the caller writes and flushes the last): direct buffers are wrapped as they are, and the
     * heap ones (the engine's frame headers and control frames, mostly) are copied into one pooled
     * direct buffer per batch, of which each heap buffer becomes a slice. A wrapped heap buffer would
     * make Netty copy it into a new direct buffer before writing.
     *
     * <p>Separate messages, not one {@code CompositeByteBuf}: Netty's outbound buffer gathers
     * messages into one {@code writev} (up to IOV_MAX buffers and its adaptive byte limit) and keeps
     * each message's NIO view between writes, whereas a composite is re-sliced into a fresh
     * {@code ByteBuffer[]} of all its remaining components on every {@code writev} of the batch.
     * That re-slicing (and building the composite) cost the bulk sender's event loop CPU on every
     * batch, which slowed the drain of the queue the other streams wait behind.
     *
     * @return the last part, still to be written and flushed by the caller
     */
    private ByteBuf writeAllButLast(ByteBuffer[] buffers, int count) {
        int heapBytes = 0;
        int last = -1;
        long total = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer b = buffers[i];
            if (b.hasRemaining()) {
                last = i;
                total += b.remaining();
                if (!b.isDirect()) {
                    heapBytes += b.remaining();
                }
            }
        }
        if (last < 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        ByteBuf copies = heapBytes > 0 ? ctx.alloc().directBuffer(heapBytes, heapBytes) : null;
        if (copies != null && heapBytes == total) {
            for (int i = 0; i <= last; i++) {
                copies.writeBytes(buffers[i].duplicate());
            }
            return copies; // all heap: one copy, one buffer
        }
        try {
            for (int i = 0; i < last; i++) {
                if (buffers[i].hasRemaining()) {
                    // an earlier part's failure closes the channel, which fails the last part's promise
                    ctx.write(part(buffers[i], copies), quietPromise);
                }
            }
            return part(buffers[last], copies);
        } finally {
            if (copies != null) {
                copies.release(); // the slices hold it now
            }
        }
    }

    /** {@code b} as a direct ByteBuf: itself wrapped, or (heap) a slice of its copy in {@code copies}. */
    private static ByteBuf part(ByteBuffer b, ByteBuf copies) {
        if (b.isDirect()) {
            return Unpooled.wrappedBuffer(b);
        }
        int at = copies.writerIndex();
        copies.writeBytes(b.duplicate());
        return copies.retainedSlice(at, b.remaining());
    }

    private void onWriteDone(WriteCompletion completion, Throwable cause) {
        if (inWrite || !deferredCompletions.isEmpty()) {
            deferredCompletions.add(() -> complete(completion, cause));
            if (!completionDrainScheduled) {
                completionDrainScheduled = true;
                channel.eventLoop().execute(this::runDeferredCompletions);
            }
            return;
        }
        complete(completion, cause);
    }

    private void complete(WriteCompletion completion, Throwable cause) {
        outstanding--;
        // the engine may hand over its next batch (a GOAWAY, say) from inside this call
        completion.complete(cause);
        closeIfIdle();
    }

    private void runDeferredCompletions() {
        completionDrainScheduled = false;
        Runnable r;
        while ((r = deferredCompletions.poll()) != null) {
            r.run();
        }
    }

    /**
     * Netty's writability, except that a carrier with no write of ours outstanding always takes the
     * next batch: Netty succeeds a write's promise before it un-counts its bytes, so inside a
     * completion the channel may still look full although nothing of ours is queued.
     */
    @Override
    public boolean isWritable() {
        return outstanding == 0 || channel.isWritable();
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        if (readEnabled == enabled) {
            return;
        }
        readEnabled = enabled;
        channel.config().setAutoRead(enabled);
        if (enabled && !held.isEmpty() && !drainScheduled) {
            // never re-enter the engine from inside the call that re-enabled reading
            drainScheduled = true;
            channel.eventLoop().execute(() -> {
                drainScheduled = false;
                drainHeld();
            });
        }
    }

    /**
     * With {@code flush}, closes once no write is outstanding: the writes given so far and any the
     * engine gives while they complete (its last control frames, such as GOAWAY, may wait behind the
     * batch in flight). On a socket it then sends FIN (after TLS close_notify, if an
     * {@code SslHandler} is in front) and reads, dropping the bytes, until the peer's EOF closes the
     * channel (a lingering close): closing a socket that still receives makes the kernel answer with
     * RST, and an RST may destroy the bytes just flushed before the peer has read them. A peer that
     * stops reading or never closes its side cannot hold a closing carrier open for more than
     * {@link #FLUSH_CLOSE_LIMIT_SECONDS} seconds.
     */
    @Override
    public void close(boolean flush) {
        if (closing) {
            return;
        }
        closing = true;
        releaseHeld();
        if (flush && channel.isActive()) {
            closeWhenIdle = true;
            ScheduledFuture<?> limit = channel.eventLoop().schedule(() -> {
                if (channel.isOpen()) {
                    LOG.debug("{}: writes did not drain within {} s of close; closing anyway", channel,
                            FLUSH_CLOSE_LIMIT_SECONDS);
                    channel.close();
                }
            }, FLUSH_CLOSE_LIMIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            // the pending task holds the channel (pipeline, SslHandler, engine, tunnel) until it runs:
            // without this, every carrier closed in the last 5 s stayed reachable
            channel.closeFuture().addListener(f -> limit.cancel(false));
            closeIfIdle();
        } else {
            channel.close();
        }
    }

    private void closeIfIdle() {
        if (closeWhenIdle && outstanding == 0) {
            closeWhenIdle = false;
            // after every earlier write, including any still inside handlers kept in front of us
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (f.isSuccess() && channel instanceof DuplexChannel duplex && channel.isActive()) {
                    shutdownOutputAndLinger(duplex);
                } else {
                    channel.close();
                }
            });
        }
    }

    private void shutdownOutputAndLinger(DuplexChannel duplex) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null && !tls.engine().isOutboundDone()) {
            tls.closeOutbound().addListener(f -> {
                if (f.isSuccess()) {
                    shutdownOutputAndLinger(duplex);
                } else {
                    channel.close();
                }
            });
            return;
        }
        // read (and drop, see channelRead) until the peer's EOF closes the channel
        channel.config().setAutoRead(true);
        duplex.shutdownOutput().addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                channel.close();
            } else if (duplex.isInputShutdown()) {
                channel.close(); // the peer closed its side first
            }
        });
    }

    /** With {@code ALLOW_HALF_CLOSURE} the peer's EOF does not close the channel by itself: it ends the carrier. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            channel.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public SocketAddress localAddress() {
        return channel.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public String toString() {
        return "NettyCarrier{" + channel + (dialer ? " dialer" : " acceptor") + '}';
    }
}
