package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmServer;

/** {@code CONNECT_TIMEOUT_MILLIS} bounds the wait for the peer's ACCEPT, with Netty's own exception. */
@Timeout(30)
class VmConnectTimeoutTest {
    private static final VmSocketAddress SLOW = VmSocketAddress.parse("[fd00::9]:9");

    @Test
    void aPeerThatDoesNotAcceptInTimeFailsTheConnect() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // the peer's acceptor holds its tunnel's thread until the test is done: no ACCEPT can come
        VmServer slow = VmServer.listen(SLOW.vmAddress(), conn -> release.await(20, SECONDS));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (TunnelFixture fx = new TunnelFixture(TunnelOptions.defaults(), t -> t.install(slow))) {
            fx.client.awaitRemoteListen(SLOW.vmAddress()).get(10, SECONDS);
            ChannelFuture f = new Bootstrap().group(group).channelFactory(VmChannel.factory(fx.client))
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 200)
                    .handler(new ChannelInboundHandlerAdapter()).connect(SLOW);
            CompletableFuture<Throwable> cause = new CompletableFuture<>();
            f.addListener(x -> cause.complete(x.cause()));
            try {
                assertInstanceOf(ConnectTimeoutException.class, cause.get(10, SECONDS));
                f.channel().closeFuture().await(10, SECONDS);
                assertFalse(f.channel().isOpen());
            } finally {
                release.countDown();
            }
        } finally {
            group.shutdownGracefully(0, 1, SECONDS).sync();
        }
    }
}
