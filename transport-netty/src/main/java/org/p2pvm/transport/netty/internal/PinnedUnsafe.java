package org.p2pvm.transport.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import java.net.SocketAddress;
import java.util.function.Supplier;

/**
 * The {@link Channel.Unsafe} a virtual channel shows to the world: its own unsafe, except that
 * {@link #register} moves the channel onto the tunnel's event loop when the tunnel has one.
 *
 * <p>Why: {@code ServerBootstrap} registers accepted children with its child group, and
 * {@code Bootstrap} with its group ({@code group.register(channel)} ends in
 * {@code channel.unsafe().register(loop, promise)}). A virtual channel on the tunnel's own
 * {@link EventLoop} needs no thread hand-off for any event, as Netty's HTTP/2 child channels use
 * their parent's loop. When the tunnel runs on some other executor (a non-Netty carrier), the loop
 * given is kept.
 */
public final class PinnedUnsafe implements Channel.Unsafe {
    private final Channel.Unsafe delegate;
    private final Supplier<EventLoop> preferred;

    /**
     * @param delegate the channel's own unsafe
     * @param preferred the loop to register on instead of the one offered, or a supplier of null
     */
    public PinnedUnsafe(Channel.Unsafe delegate, Supplier<EventLoop> preferred) {
        this.delegate = delegate;
        this.preferred = preferred;
    }

    /** The channel's own unsafe. */
    public Channel.Unsafe delegate() {
        return delegate;
    }

    @Override
    public void register(EventLoop eventLoop, ChannelPromise promise) {
        EventLoop target = preferred.get();
        delegate.register(target != null && !target.isShuttingDown() ? target : eventLoop, promise);
    }

    @Override
    @SuppressWarnings("deprecation")
    public RecvByteBufAllocator.Handle recvBufAllocHandle() {
        return delegate.recvBufAllocHandle();
    }

    @Override
    public SocketAddress localAddress() {
        return delegate.localAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return delegate.remoteAddress();
    }

    @Override
    public void bind(SocketAddress localAddress, ChannelPromise promise) {
        delegate.bind(localAddress, promise);
    }

    @Override
    public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
        delegate.connect(remoteAddress, localAddress, promise);
    }

    @Override
    public void disconnect(ChannelPromise promise) {
        delegate.disconnect(promise);
    }

    @Override
    public void close(ChannelPromise promise) {
        delegate.close(promise);
    }

    @Override
    public void closeForcibly() {
        delegate.closeForcibly();
    }

    @Override
    public void deregister(ChannelPromise promise) {
        delegate.deregister(promise);
    }

    @Override
    public void beginRead() {
        delegate.beginRead();
    }

    @Override
    public void write(Object msg, ChannelPromise promise) {
        delegate.write(msg, promise);
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public ChannelPromise voidPromise() {
        return delegate.voidPromise();
    }

    @Override
    public ChannelOutboundBuffer outboundBuffer() {
        return delegate.outboundBuffer();
    }
}
