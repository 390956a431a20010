package org.p2pvm.examples.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.transport.netty.NettyTunnels;
import org.p2pvm.transport.netty.UpgradeOptions;

/**
 * Step 1 of the migration, pre-link (预链接): the application's own line protocol logs in on a plain
 * TCP channel, and then both ends turn that very channel into a tunnel carrier with
 * {@link NettyTunnels#upgrade}. Each upgrade is called from the handler that read the last line, so
 * the peer's tunnel handshake, which may arrive in the same read, is not lost.
 */
public final class LoginThenTunnel {
    private LoginThenTunnel() {
    }

    /** The line codec of the login protocol. */
    public static void addLineCodec(Channel ch) {
        ch.pipeline().addLast("lines", new LineBasedFrameDecoder(1024))
                .addLast("decoder", new StringDecoder(StandardCharsets.UTF_8))
                .addLast("encoder", new StringEncoder(StandardCharsets.UTF_8));
    }

    /**
     * Server side: accepts {@code LOGIN <user> <password>} with the right password, answers {@code OK},
     * and upgrades; anything else gets {@code DENIED} and a close.
     */
    public static SimpleChannelInboundHandler<String> server(String password, TunnelOptions options,
            Consumer<Tunnel> onTunnel) {
        return new SimpleChannelInboundHandler<>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, String line) {
                String[] words = line.split(" ");
                if (words.length != 3 || !words[0].equals("LOGIN") || !words[2].equals(password)) {
                    ctx.writeAndFlush("DENIED\n").addListener(f -> ctx.close());
                    return;
                }
                ctx.write("OK " + words[1] + "\n");
                NettyTunnels.upgrade(ctx.channel(), options, UpgradeOptions.builder().onOpen(onTunnel).build())
                        .whenComplete((t, e) -> {
                            if (e != null) {
                                System.err.println("tunnel with " + ctx.channel().remoteAddress() + " failed: " + e);
                            }
                        });
            }
        };
    }

    /** Client side: sends the login line on activation, upgrades on {@code OK}. */
    public static SimpleChannelInboundHandler<String> client(String user, String password, TunnelOptions options,
            CompletableFuture<Tunnel> tunnel) {
        return new SimpleChannelInboundHandler<>() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.writeAndFlush("LOGIN " + user + " " + password + "\n");
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, String line) {
                if (!line.startsWith("OK")) {
                    tunnel.completeExceptionally(new IllegalStateException("login refused: " + line));
                    ctx.close();
                    return;
                }
                NettyTunnels.upgrade(ctx.channel(), options).whenComplete((t, e) -> {
                    if (e != null) {
                        tunnel.completeExceptionally(e);
                    } else {
                        tunnel.complete(t);
                    }
                });
            }
        };
    }
}
