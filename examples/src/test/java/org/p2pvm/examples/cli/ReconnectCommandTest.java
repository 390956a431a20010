package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.engine.contract.TcpFaultProxy;

/**
 * The dialing {@code connect} recovers when its carrier is killed (the kit's {@link TcpFaultProxy}
 * resets both sockets): three kills, and after each a new "tunnel ready" and working HTTP through
 * the same local listener; redials refused for a while are retried until the peer is back; a
 * download in flight when the carrier dies ends with a reset and a logged cause, not a clean EOF.
 * Also {@code serve --max-tunnels}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReconnectCommandTest {
    private static final String LISTENING = "listening on tcp://127\\.0\\.0\\.1:(\\d+) \\(nio\\)";
    private static final String LOCAL = "local listener (127\\.0\\.0\\.1:\\d+) -> ";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** {@code serve} over nio forwarding [::10]:80 to {@code http}. */
    private static RunningCommand serveForwarding(HttpFixture http) throws Exception {
        return RunningCommand.start("serve", "serve", "--transport", "nio", "--bind", "127.0.0.1:0", "--forward",
                "[::10]:80=127.0.0.1:" + http.port());
    }

    /** A fault proxy in front of the port {@code serve} listens on. */
    private static TcpFaultProxy proxyTo(RunningCommand serve) throws Exception {
        int port = Integer.parseInt(serve.await(LISTENING).group(1));
        return new TcpFaultProxy(new InetSocketAddress("127.0.0.1", port));
    }

    /** {@code connect --local} to [::10]:80 through {@code proxy}, redialling after at most 1 s. */
    private static RunningCommand connectThrough(TcpFaultProxy proxy) throws Exception {
        return RunningCommand.start("connect", "connect", "--transport", "nio", "--peer",
                "127.0.0.1:" + proxy.localAddress().getPort(), "--local", "127.0.0.1:0=[::10]:80",
                "--reconnect-max", "1");
    }

    @Test
    void connectReconnectsAfterEachOfThreeCarrierKills() throws Exception {
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = serveForwarding(http)) {
            try (TcpFaultProxy proxy = proxyTo(serve); RunningCommand connect = connectThrough(proxy)) {
                String local = connect.await(LOCAL).group(1);
                connect.await("tunnel ready");
                get(local, 1);
                for (int kill = 1; kill <= 3; kill++) {
                    proxy.killAll();
                    connect.await("(?s)(tunnel ready.*){" + (kill + 1) + "}");
                    get(local, 10 + kill);
                }
                assertEquals(4, countOf(connect.out.text(), "tunnel ready"), connect.text());
                assertTrue(connect.out.text().contains("reconnecting"), connect.text());
                assertEquals(0, connect.stop(), connect.text());
            }
        }
    }

    @Test
    void redialsRefusedByThePeerAreRetriedWithBackoffUntilItIsBack() throws Exception {
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = serveForwarding(http)) {
            try (TcpFaultProxy proxy = proxyTo(serve); RunningCommand connect = connectThrough(proxy)) {
                String local = connect.await(LOCAL).group(1);
                connect.await("tunnel ready");
                // The peer is "down": every new carrier is reset at once, then the tunnel is cut.
                proxy.refuseNewConnections(true);
                proxy.killAll();
                connect.await("(?s)(reconnect to \\S+ failed: .*){3}");
                assertEquals(1, countOf(connect.out.text(), "tunnel ready"), connect.text());
                proxy.refuseNewConnections(false);
                connect.await("(?s)(tunnel ready.*){2}");

                String text = connect.out.text();
                int lastFailure = text.lastIndexOf("failed: ");
                int secondReady = text.indexOf("tunnel ready", text.indexOf("tunnel ready") + 1);
                assertTrue(lastFailure < secondReady, "retries come before the new tunnel:\n" + text);
                assertTrue(proxy.connectionsRefused() >= 3, proxy.connectionsRefused() + " refused\n" + text);
                get(local, 7);
                assertEquals(0, connect.stop(), connect.text());
            }
        }
    }

    @Test
    void aDownloadInFlightWhenTheCarrierDiesEndsWithAResetAndALoggedCause() throws Exception {
        long size = 1L << 30; // far more than every buffer on the way can hold: the download cannot finish
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = serveForwarding(http)) {
            try (TcpFaultProxy proxy = proxyTo(serve); RunningCommand connect = connectThrough(proxy)) {
                String local = connect.await(LOCAL).group(1);
                connect.await("tunnel ready");
                int c = local.lastIndexOf(':');
                long received = 0;
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(local.substring(0, c), Integer.parseInt(local.substring(c + 1))),
                            10_000);
                    s.setSoTimeout(30_000);
                    s.getOutputStream().write(("GET /download/" + size + " HTTP/1.1\r\nHost: test\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[64 * 1024];
                    // The download is under way (and stalls here: this reader stops reading).
                    while (received < (1 << 20)) {
                        int n = in.read(buf);
                        assertTrue(n > 0, "the download ended after " + received + " bytes");
                        received += n;
                    }
                    proxy.killAll();
                    long before = received;
                    IOException failure = null;
                    try {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            received += n;
                        }
                    } catch (IOException e) {
                        failure = e;
                    }
                    assertTrue(failure instanceof SocketException,
                            "the client must see the connection reset, not a clean EOF after " + received + " of "
                                    + size + " bytes (" + (received - before) + " after the kill): " + failure
                                    + "\n" + connect.text());
                    assertTrue(received < size, received + " bytes");
                }
                connect.await("connection stream \\d+ \\S+ -> \\[::10]:80 <-> TCP \\S+ aborted \\(virtual to TCP\\): "
                        + "tunnel closed");
                connect.await("(?s)(tunnel ready.*){2}");
                get(local, 5);
                assertEquals(0, connect.stop(), connect.text());
            }
        }
    }

    @Test
    void maxTunnelsClosesTheExtraTunnelWithLimitExceeded() throws Exception {
        try (RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", "nio", "--bind",
                "127.0.0.1:0", "--max-tunnels", "1", "--echo", "[::99]:11139");
                RunningCommand first = RunningCommand.start("connect", "connect", "--transport", "nio", "--peer",
                        "127.0.0.1:" + Integer.parseInt(serve.await(LISTENING).group(1)), "--local",
                        "127.0.0.1:0=[::99]:11139")) {
            first.await("tunnel ready");
            String peer = "127.0.0.1:" + serve.await(LISTENING).group(1);
            Cli.Result second = Cli.run("connect", "--transport", "nio", "--peer", peer, "--echo-test",
                    "[::99]:11139", "--connections", "1");
            assertEquals(1, second.exitCode(), second.toString());
            assertEquals(1, second.errLines().size(), second.toString());
            assertTrue(second.err().contains("LIMIT_EXCEEDED"), second.toString());
            serve.await("refused: --max-tunnels 1");
        }
    }

    private static int countOf(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    private void get(String local, int item) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + local + "/item/" + item))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(HttpFixture.itemBody(item), r.body());
    }
}
