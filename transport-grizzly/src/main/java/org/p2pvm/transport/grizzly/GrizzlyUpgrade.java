package org.p2pvm.transport.grizzly;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.transport.grizzly.internal.TunnelRegistry;
import org.p2pvm.transport.grizzly.internal.Upgrader;

/**
 * Pre-link (the seed's 预链接): turns a TCP connection that an application's own Grizzly filter chain
 * already handles — accepted or connected by it, perhaps after its own login exchange — into a tunnel
 * carrier, with one call from a filter's {@code handleRead}:
 *
 * <pre>{@code
 * public NextAction handleRead(FilterChainContext ctx) {
 *     String line = ctx.getMessage();               // e.g. "LOGIN alice" decoded by StringFilter
 *     ctx.write("OK\n");                             // the application's last own bytes
 *     GrizzlyUpgrade.acceptor(ctx, options, tunnel -> tunnel.install(server));
 *     return ctx.getStopAction();
 * }
 * }</pre>
 *
 * <p>What the call does, on the calling thread: it takes the bytes the chain has read but not
 * consumed (the remainders its codec filters keep, e.g. the peer's HELLO that arrived in the same
 * segment as the login line, and the rest of the current message if it is a buffer), switches the
 * connection to a carrier chain so later reads go to the tunnel, and starts the tunnel on the
 * connection's selector thread with those bytes first. Writes the application made before the call
 * go out before the tunnel's first byte (same write queue).
 *
 * <p>Rules: call it from {@code handleRead} of a filter of the connection's chain (the thread that
 * runs it), and return {@code ctx.getStopAction()} afterwards. The application's filters see no
 * further events of this connection (not even its close). The connection's transport may use any IO
 * strategy: with Grizzly's default worker-thread strategy each read is handed to the selector thread
 * (the tunnel's executor) and the read event completes once the engine consumed it. The chain must
 * be a {@code FilterChainBuilder} chain whose codecs keep leftovers as Grizzly's codecs do (as
 * buffers); TLS filters in front of the upgrade point are not supported.
 */
public final class GrizzlyUpgrade {
    private GrizzlyUpgrade() {
    }

    /** Upgrades the accepting end of the application's connection (the end that did not dial). */
    public static CompletableFuture<Tunnel> acceptor(FilterChainContext ctx, TunnelOptions options,
            Consumer<? super Tunnel> onOpen) {
        return upgrade(ctx, false, options, onOpen);
    }

    /** Upgrades the dialing end of the application's connection. */
    public static CompletableFuture<Tunnel> dialer(FilterChainContext ctx, TunnelOptions options,
            Consumer<? super Tunnel> onOpen) {
        return upgrade(ctx, true, options, onOpen);
    }

    /**
     * Upgrades the connection of {@code ctx}.
     *
     * @param dialer whether this end dialled the TCP connection (PROTOCOL.md §1: the dialer opens odd
     *     stream ids); the two ends must disagree
     * @param onOpen runs on the tunnel's executor after the handshake, before any later frame (install
     *     servers here); may be null
     * @return completes with the tunnel after the handshake, or fails with
     *     {@link org.p2pvm.HandshakeException}
     * @throws IllegalArgumentException when the connection is not a Grizzly TCP connection, or
     *     {@code options} ask for TLS (an upgrade cannot add TLS to a running connection)
     * @throws IllegalStateException when it is closed, already upgraded, or its chain keeps unread
     *     bytes in a form this class cannot take (the message says which filter)
     */
    public static CompletableFuture<Tunnel> upgrade(FilterChainContext ctx, boolean dialer, TunnelOptions options,
            Consumer<? super Tunnel> onOpen) {
        Objects.requireNonNull(options, "options");
        if (options.tls() != null) {
            throw new IllegalArgumentException("TLS cannot be added to an upgraded connection: "
                    + "leave TunnelOptions.tls() null here, or dial with the grizzly transport (which does TLS)");
        }
        CompletableFuture<Tunnel> result = new CompletableFuture<>();
        Upgrader.upgrade(ctx, dialer, new TunnelRegistry(null).opener(options, onOpen, result),
                GrizzlyTransport.DEFAULT_MAX_WRITE_QUEUE_BYTES);
        return result;
    }
}
