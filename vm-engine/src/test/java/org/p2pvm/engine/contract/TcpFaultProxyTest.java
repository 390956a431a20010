package org.p2pvm.engine.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fault proxy on its own: forwarding, half close, reset; and the harness's URI rewriting. */
@Timeout(20)
class TcpFaultProxyTest {

    @Test
    void forwardsBothWays_forwardsFin_andCountsBytes() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                TcpFaultProxy proxy = new TcpFaultProxy((InetSocketAddress) target.getLocalSocketAddress())) {
            CompletableFuture<byte[]> serverGot = new CompletableFuture<>();
            Thread server = new Thread(() -> {
                try (Socket s = target.accept()) {
                    serverGot.complete(s.getInputStream().readAllBytes()); // until the forwarded FIN
                    s.getOutputStream().write("pong".getBytes());
                    s.shutdownOutput();
                } catch (IOException e) {
                    serverGot.completeExceptionally(e);
                }
            });
            server.setDaemon(true);
            server.start();
            try (Socket client = new Socket()) {
                client.connect(proxy.localAddress(), 5000);
                client.getOutputStream().write("ping!".getBytes());
                client.shutdownOutput();
                assertArrayEquals("ping!".getBytes(), serverGot.get(10, TimeUnit.SECONDS));
                assertArrayEquals("pong".getBytes(), client.getInputStream().readAllBytes());
            }
            assertEquals(5, proxy.bytesUpstream());
            assertEquals(4, proxy.bytesDownstream());
            assertEquals(1, proxy.connectionsAccepted());
        }
    }

    @Test
    void killAll_resetsBothSides() throws Exception {
        try (ServerSocket target = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                TcpFaultProxy proxy = new TcpFaultProxy((InetSocketAddress) target.getLocalSocketAddress());
                Socket client = new Socket()) {
            client.connect(proxy.localAddress(), 5000);
            client.getOutputStream().write(1);
            try (Socket accepted = target.accept()) {
                assertEquals(1, accepted.getInputStream().read());
                proxy.killAll();
                assertThrows(SocketException.class, () -> readToEnd(client.getInputStream()),
                        "the dialer sees a reset, not EOF");
                assertThrows(SocketException.class, () -> readToEnd(accepted.getInputStream()),
                        "the target sees a reset, not EOF");
            }
        }
    }

    private static void readToEnd(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // a reset throws; EOF returns
        }
    }

    @Test
    void harnessRewritesOnlyHostAndPort() throws Exception {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 4321);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 4321);
        assertEquals(URI.create("ws://127.0.0.1:4321/p2pvm?x=1"),
                TransportHarness.withAddress(URI.create("ws://127.0.0.1:9999/p2pvm?x=1"), v4));
        assertEquals(URI.create("tcp://[0:0:0:0:0:0:0:1]:4321"),
                TransportHarness.withAddress(URI.create("tcp://[::1]:9999"), v6));
    }
}
