package org.p2pvm.transport.netty.internal;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O flavour a {@code NettyTransport} runs on: native epoll when the machine has it, else NIO.
 * Choosing never fails; a missing or broken native library just means NIO. Immutable.
 *
 * @param name {@code epoll} or {@code nio}, for logs and tests
 */
public record IoFlavor(String name, IoHandlerFactory ioHandlerFactory,
        Class<? extends SocketChannel> socketChannel, Class<? extends ServerChannel> serverChannel) {
    private static final Logger LOG = LoggerFactory.getLogger(IoFlavor.class);

    /** Transport property that turns native epoll off ({@code false}); default {@code true}. */
    public static final String EPOLL_PROPERTY = "netty.epoll";

    /** The NIO flavour, available everywhere. */
    public static IoFlavor nio() {
        return new IoFlavor("nio", NioIoHandler.newFactory(), NioSocketChannel.class, NioServerSocketChannel.class);
    }

    /**
     * Epoll when {@code allowNative} and {@link Epoll#isAvailable()}, else NIO.
     */
    public static IoFlavor choose(boolean allowNative) {
        if (allowNative) {
            try {
                if (Epoll.isAvailable()) {
                    return new IoFlavor("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class,
                            EpollServerSocketChannel.class);
                }
                LOG.debug("native epoll unavailable, using NIO", Epoll.unavailabilityCause());
            } catch (Throwable t) {
                // a class path without the native classes, or a broken library: NIO always works
                LOG.debug("native epoll unusable, using NIO", t);
            }
        }
        return nio();
    }
}
