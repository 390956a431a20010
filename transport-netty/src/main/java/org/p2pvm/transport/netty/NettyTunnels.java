package org.p2pvm.transport.netty;

import io.netty.channel.Channel;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.transport.netty.internal.ChannelUpgrade;
import org.p2pvm.transport.netty.internal.NettyCarrier;

/**
 * Pre-link (the seed's 预链接): turns a Netty {@link Channel} the application already owns (it
 * dialled or accepted it, maybe spoke its own login protocol on it) into a tunnel carrier.
 *
 * <p>{@link #upgrade} installs the carrier as the last handler, removes the application's handlers
 * as asked, and starts the tunnel handshake (PROTOCOL.md §4) on the same socket. Bytes that arrived
 * after the application's last message are not lost: a {@link io.netty.handler.codec.ByteToMessageDecoder}
 * being removed hands its undecoded bytes to the next handler (as Netty's own
 * {@code HttpServerUpgradeHandler} relies on), and the carrier holds them until the engine starts.
 *
 * <p><b>When to call it.</b> Both ends upgrade after their last application message. Call it on the
 * event loop from the handler that processed that message, before returning (the handshake bytes
 * of a fast peer may already sit behind it in the same read); from another thread it is scheduled
 * on the channel's event loop, which is only safe if the peer cannot have sent anything the
 * application's decoders would still try to decode.
 */
public final class NettyTunnels {
    private NettyTunnels() {
    }

    /** Upgrades with {@link UpgradeOptions#defaults()}: every handler removed, role from the channel. */
    public static CompletableFuture<Tunnel> upgrade(Channel channel, TunnelOptions options) {
        return upgrade(channel, options, UpgradeOptions.defaults());
    }

    /**
     * Turns {@code channel} into a tunnel carrier.
     *
     * @return completes with the tunnel once the handshake succeeded; fails with
     *     {@link org.p2pvm.HandshakeException} (wrong token, timeout, closed), or with
     *     {@link IllegalArgumentException} / {@link IllegalStateException} when a named handler is
     *     missing or the channel is not active (the pipeline is then left as it was)
     */
    public static CompletableFuture<Tunnel> upgrade(Channel channel, TunnelOptions options, UpgradeOptions upgrade) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(upgrade, "upgrade");
        boolean dialer = upgrade.dialer() != null ? upgrade.dialer() : channel.parent() == null;
        NettyCarrier carrier = NettyCarrier.forEngine(channel, dialer, false, options, upgrade.onOpen());
        return ChannelUpgrade.run(channel, carrier, upgrade.keep(), upgrade.remove());
    }
}
