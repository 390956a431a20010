package org.p2pvm.bench.baseline;

import java.net.InetSocketAddress;

/**
 * The "raw" baseline (issue 9): the same carrier library moving the same bytes over one plain TCP
 * connection, no tunnel — the physical limit on this machine. A raw baseline runs a sink server;
 * {@link #send} connects (directly or through a {@code DelayProxy}), sends an 8-byte big-endian
 * length and that many bytes, and returns when the sink's one-byte acknowledgement arrives.
 * Called from the scenario thread; {@link #close()} stops the sink.
 *
 * <p><b>Honest baselines.</b> Each implementation is made as fast as its library allows, so that a
 * tunnel / raw ratio is never flattered by a slow baseline: the same IO flavour and threading the
 * carrier uses (Netty's native epoll where available, Grizzly's same-thread strategy), writes of
 * {@code TunnelOptions.maxBatchBytes} (2 MiB, the tunnel's batch) from direct memory with the next
 * write already queued, and no copy in Java on either side.
 */
public interface RawBaseline extends AutoCloseable {
    /** Which library this is, e.g. {@code nio}. */
    String library();

    /** The sink's loopback address. */
    InetSocketAddress sinkAddress();

    /** Sends {@code bytes} to {@code target} over one new connection; seconds until acknowledged. */
    double send(InetSocketAddress target, long bytes) throws Exception;

    @Override
    void close();

    /**
     * The raw baseline for a transport: NIO for nio (and memory and websocket, whose own libraries
     * add framing a raw run would not have), Netty for netty, Grizzly for grizzly.
     */
    static RawBaseline forTransport(String transport) throws Exception {
        return switch (transport) {
            case "netty" -> new NettyRaw();
            case "grizzly" -> new GrizzlyRaw();
            default -> new NioRaw();
        };
    }
}
