package org.p2pvm.transport.nio.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.TransportConfig;

/**
 * TCP_NODELAY on both kinds of socket (issue: transport-nio): the engine batches its own writes
 * (PROTOCOL.md §7), so Nagle's algorithm would only add delay to small frames such as PING ACKs.
 * Checked on the real sockets of a dialled and an accepted tunnel, read from the selector they are
 * registered with.
 */
@Timeout(30)
class SocketOptionsTest {

    @Test
    void tcpNoDelay_isOnForDialledAndAcceptedSockets() throws Exception {
        NioSettings settings = NioSettings.of(TransportConfig.defaults());
        NioLoopGroup group = new NioLoopGroup(1, "sockopt-test", settings.readBufferSize(), true);
        try {
            TunnelOptions options = TunnelOptions.defaults();
            CompletableFuture<Tunnel> accepted = new CompletableFuture<>();
            NioServer server = NioServer.bind(group, URI.create("tcp://127.0.0.1:0"),
                    new InetSocketAddress("127.0.0.1", 0), options, accepted::complete, settings).get(10, SECONDS);
            int port = server.localAddress().getPort();
            Tunnel dialled = NioConnector.connect(group.next(), URI.create("tcp://127.0.0.1:" + port),
                    new InetSocketAddress("127.0.0.1", port), options, settings, t -> { }, null).get(10, SECONDS);
            accepted.get(10, SECONDS);
            assertTrue(dialled.isOpen());

            NioLoop loop = group.loops().get(0);
            CompletableFuture<List<String>> seen = new CompletableFuture<>();
            loop.execute(() -> {
                List<String> found = new ArrayList<>();
                try {
                    for (var ch : loop.channels()) {
                        if (ch instanceof SocketChannel s) {
                            InetSocketAddress local = (InetSocketAddress) s.getLocalAddress();
                            String kind = local.getPort() == port ? "accepted" : "dialled";
                            found.add(kind + " TCP_NODELAY=" + s.getOption(StandardSocketOptions.TCP_NODELAY));
                        }
                    }
                    seen.complete(found);
                } catch (Exception e) {
                    seen.completeExceptionally(e);
                }
            });
            List<String> found = seen.get(10, SECONDS);
            found.sort(null);
            assertEquals(List.of("accepted TCP_NODELAY=true", "dialled TCP_NODELAY=true"), found);
            dialled.close();
            server.closeAsync().get(10, SECONDS);
        } finally {
            group.shutdown().get(10, SECONDS);
        }
    }
}
