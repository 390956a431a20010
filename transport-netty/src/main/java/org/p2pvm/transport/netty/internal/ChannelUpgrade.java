package org.p2pvm.transport.netty.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.Tunnel;

/**
 * The steps of an upgrade, on the channel's event loop: add the (not yet started) carrier last, remove
 * the application's handlers from the tail towards the head — so that a decoder's leftover bytes flow
 * straight to the carrier, not through another decoder that is about to go — then turn reading on
 * and start the engine, which sends HELLO through the handlers that stay and receives the held bytes
 * (and may turn reading off again).
 */
public final class ChannelUpgrade {
    /** The carrier's name in the pipeline. */
    public static final String CARRIER_NAME = "p2pvm-carrier";

    private ChannelUpgrade() {
    }

    /**
     * @param keep names to keep (all others removed) when {@code remove} is null
     * @param remove the only names to remove, or null
     */
    public static CompletableFuture<Tunnel> run(Channel channel, NettyCarrier carrier, List<String> keep,
            List<String> remove) {
        CompletableFuture<Tunnel> result = new CompletableFuture<>();
        Runnable steps = () -> {
            try {
                upgradeOnLoop(channel, carrier, keep, remove);
            } catch (Throwable t) {
                result.completeExceptionally(t);
                return;
            }
            carrier.handshake().whenComplete((t, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(t);
                }
            });
        };
        if (channel.eventLoop().inEventLoop()) {
            steps.run();
        } else {
            channel.eventLoop().execute(steps);
        }
        return result;
    }

    private static void upgradeOnLoop(Channel channel, NettyCarrier carrier, List<String> keep, List<String> remove) {
        if (!channel.isActive()) {
            throw new IllegalStateException("cannot upgrade " + channel + ": it is not active");
        }
        ChannelPipeline p = channel.pipeline();
        if (p.get(CARRIER_NAME) != null) {
            throw new IllegalStateException(channel + " is already a tunnel carrier");
        }
        List<String> present = p.names();
        for (String name : remove != null ? remove : keep) {
            if (p.get(name) == null) {
                throw new IllegalArgumentException("no handler named '" + name + "' in the pipeline of " + channel
                        + " (it has " + present + ")");
            }
        }
        List<String> doomed = new ArrayList<>();
        for (String name : present) {
            if (p.get(name) == null) {
                continue; // the tail context shows up in names() but is not a handler
            }
            boolean goes = remove != null ? remove.contains(name) : !keep.contains(name);
            if (goes) {
                doomed.add(name);
            }
        }
        p.addLast(CARRIER_NAME, carrier);
        for (int i = doomed.size() - 1; i >= 0; i--) {
            p.remove(doomed.get(i));
        }
        // the carrier owns reading from now on (the application may have turned autoRead off). Turned on
        // before start(): the engine may turn reading off while it consumes the held bytes
        // (setReadEnabled(false) sets autoRead false), and that decision must stand.
        channel.config().setAutoRead(true);
        carrier.start();
        if (channel.config().isAutoRead()) {
            channel.read();
        }
    }
}
