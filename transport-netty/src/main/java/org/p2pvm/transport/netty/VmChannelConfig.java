package org.p2pvm.transport.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannelConfig;
import java.util.Map;

/**
 * The configuration of a {@link VmChannel}: Netty's usual options plus
 * {@link ChannelOption#ALLOW_HALF_CLOSURE} (the peer's FIN becomes a
 * {@link io.netty.channel.socket.ChannelInputShutdownEvent} instead of a close) and
 * {@link ChannelOption#SO_LINGER} (0 turns {@code close()} into a RESET, as it turns a TCP close
 * into an RST). {@link ChannelOption#TCP_NODELAY} and {@link ChannelOption#SO_KEEPALIVE} are
 * accepted and ignored, so bootstraps written for TCP run unchanged: virtual connections have no
 * Nagle delay and the tunnel keeps itself alive (PROTOCOL.md §8).
 *
 * <p>{@link WriteBufferWaterMark} works as on a socket: bytes stay counted as pending until the
 * tunnel has written them to the carrier, which happens only as the stream's send window allows, so
 * {@code isWritable()} follows the stream window. Thread-safe like {@link DefaultChannelConfig}.
 */
public final class VmChannelConfig extends DefaultChannelConfig implements DuplexChannelConfig {
    private volatile boolean allowHalfClosure;
    private volatile int soLinger = -1;
    private volatile boolean tcpNoDelay = true;
    private volatile boolean keepAlive;

    VmChannelConfig(VmChannel channel) {
        super(channel);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), ChannelOption.ALLOW_HALF_CLOSURE, ChannelOption.SO_LINGER,
                ChannelOption.TCP_NODELAY, ChannelOption.SO_KEEPALIVE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(allowHalfClosure);
        }
        if (option == ChannelOption.SO_LINGER) {
            return (T) Integer.valueOf(soLinger);
        }
        if (option == ChannelOption.TCP_NODELAY) {
            return (T) Boolean.valueOf(tcpNoDelay);
        }
        if (option == ChannelOption.SO_KEEPALIVE) {
            return (T) Boolean.valueOf(keepAlive);
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            allowHalfClosure = (Boolean) value;
        } else if (option == ChannelOption.SO_LINGER) {
            soLinger = (Integer) value;
        } else if (option == ChannelOption.TCP_NODELAY) {
            tcpNoDelay = (Boolean) value;
        } else if (option == ChannelOption.SO_KEEPALIVE) {
            keepAlive = (Boolean) value;
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public VmChannelConfig setAllowHalfClosure(boolean allow) {
        this.allowHalfClosure = allow;
        return this;
    }

    /** {@code SO_LINGER}: 0 makes {@code close()} reset the stream; anything else closes with FIN. */
    public int getSoLinger() {
        return soLinger;
    }

    public VmChannelConfig setSoLinger(int linger) {
        this.soLinger = linger;
        return this;
    }

    @Override
    public VmChannelConfig setMaxMessagesPerRead(int n) {
        super.setMaxMessagesPerRead(n);
        return this;
    }

    @Override
    public VmChannelConfig setWriteSpinCount(int n) {
        super.setWriteSpinCount(n);
        return this;
    }

    @Override
    public VmChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public VmChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public VmChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public VmChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public VmChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public VmChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark mark) {
        super.setWriteBufferWaterMark(mark);
        return this;
    }

    @Override
    public VmChannelConfig setConnectTimeoutMillis(int millis) {
        super.setConnectTimeoutMillis(millis);
        return this;
    }
}
