package org.p2pvm.transport.netty.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Who owns reading across an upgrade: the application's {@code autoRead(false)} gives way to the
 * carrier, and the engine's own decision to stop reading while it consumes the bytes held from
 * before the upgrade is not overridden.
 */
class ChannelUpgradeTest {
    /** A line-protocol application that reads one message at a time ({@code autoRead} off). */
    private static EmbeddedChannel applicationWithAutoReadOff(List<String> lines) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAutoRead(false);
        ch.pipeline().addLast("lines", new LineBasedFrameDecoder(256))
                .addLast("str", new StringDecoder(StandardCharsets.UTF_8))
                .addLast("app", new SimpleChannelInboundHandler<String>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, String line) {
                        lines.add(line);
                    }
                });
        return ch;
    }

    /** A carrier whose engine is a {@link FakeListener}, handed to {@code engine} when it starts. */
    private static NettyCarrier carrier(EmbeddedChannel ch, AtomicReference<FakeListener> engine,
            java.util.function.Consumer<NettyCarrier> onFirstRead) {
        NettyCarrier[] self = new NettyCarrier[1];
        self[0] = new NettyCarrier(ch, false, false, c -> {
            FakeListener l = new FakeListener(ch);
            if (onFirstRead != null) {
                l.onReadHook = () -> {
                    l.onReadHook = null;
                    onFirstRead.accept(self[0]);
                };
            }
            engine.set(l);
            return l;
        });
        return self[0];
    }

    @Test
    void anApplicationsAutoReadOffGivesWayToTheCarrier() {
        List<String> lines = new CopyOnWriteArrayList<>();
        EmbeddedChannel ch = applicationWithAutoReadOff(lines);
        AtomicReference<FakeListener> engine = new AtomicReference<>();
        ChannelUpgrade.run(ch, carrier(ch, engine, null), List.of(), null);
        assertTrue(ch.config().isAutoRead(), "the carrier reads continuously once it owns the channel");
        assertEquals(List.of(ChannelUpgrade.CARRIER_NAME), ch.pipeline().names().stream()
                .filter(n -> ch.pipeline().get(n) != null).toList());
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, engine.get().receivedBytes());
        ch.finishAndReleaseAll();
    }

    @Test
    void theEngineTurningReadingOffWhileTakingTheHeldBytesStaysOff() {
        List<String> lines = new CopyOnWriteArrayList<>();
        EmbeddedChannel ch = applicationWithAutoReadOff(lines);
        // the login line and the start of the peer's handshake in one read: the decoder keeps the rest
        ch.writeInbound(Unpooled.copiedBuffer("LOGIN\nHELLO", StandardCharsets.US_ASCII));
        assertEquals(List.of("LOGIN"), lines);
        AtomicReference<FakeListener> engine = new AtomicReference<>();
        // as the engine does when its inbound queue is full: stop reading from inside onRead
        NettyCarrier carrier = carrier(ch, engine, c -> c.setReadEnabled(false));
        ChannelUpgrade.run(ch, carrier, List.of(), null);
        assertArrayEquals("HELLO".getBytes(StandardCharsets.US_ASCII), engine.get().receivedBytes(),
                "the decoder's leftover reached the engine when it started");
        assertFalse(ch.config().isAutoRead(), "the upgrade overrode the engine's decision to stop reading");
        // and turning reading back on is the engine's call too
        carrier.setReadEnabled(true);
        assertTrue(ch.config().isAutoRead());
        assertTrue(engine.get().violations.isEmpty(), engine.get().violations.toString());
        ch.finishAndReleaseAll();
    }
}
