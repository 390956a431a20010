package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.engine.contract.TcpFaultProxy;

/**
 * The dialing {@code connect} recovers when its carrier is killed (the kit's {@link TcpFaultProxy}
 * resets both sockets): three kills, and after each a new "tunnel ready" and working HTTP through
 * the same local listener. Also {@code serve --max-tunnels}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReconnectCommandTest {
    private static final String LISTENING = "listening on tcp://127\\.0\\.0\\.1:(\\d+) \\(nio\\)";
    private static final String LOCAL = "local listener (127\\.0\\.0\\.1:\\d+) -> ";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void connectReconnectsAfterEachOfThreeCarrierKills() throws Exception {
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", "nio", "--bind",
                        "127.0.0.1:0", "--forward", "[::10]:80=127.0.0.1:" + http.port())) {
            int port = Integer.parseInt(serve.await(LISTENING).group(1));
            try (TcpFaultProxy proxy = new TcpFaultProxy(new InetSocketAddress("127.0.0.1", port));
                    RunningCommand connect = RunningCommand.start("connect", "connect", "--transport", "nio",
                            "--peer", "127.0.0.1:" + proxy.localAddress().getPort(), "--local",
                            "127.0.0.1:0=[::10]:80", "--reconnect-max", "1")) {
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
