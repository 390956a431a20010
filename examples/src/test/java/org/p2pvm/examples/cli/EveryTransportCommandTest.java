package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.engine.contract.TcpFaultProxy;

/**
 * The reverse forward ({@code connect --expose} with {@code serve --local}) and reconnection after a
 * carrier kill, on every transport of the reactor (the nio-only tests in {@link ForwardCommandTest}
 * and {@link ReconnectCommandTest} go deeper; this class checks that nothing is nio-specific).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EveryTransportCommandTest {
    private static final String LOCAL = "local listener (127\\.0\\.0\\.1:\\d+) -> ";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @ParameterizedTest
    @ValueSource(strings = {"nio", "netty", "grizzly", "websocket"})
    void reverse_exposeOnTheDialerLocalOnTheAcceptor(String transport) throws Exception {
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", transport, "--bind",
                        "127.0.0.1:0", "--local", "127.0.0.1:0=[::20]:80")) {
            String uri = serve.await("listening on (\\S+) \\(" + transport + "\\)").group(1);
            String local = serve.await(LOCAL + "\\[::20]:80").group(1);
            try (RunningCommand connect = RunningCommand.start("connect", "connect", "--transport", transport,
                    "--peer", uri, "--expose", "[::20]:80=127.0.0.1:" + http.port())) {
                connect.await("tunnel ready");
                for (int i = 0; i < 5; i++) {
                    get(local, i);
                }
                assertEquals(0, connect.stop(), connect.text());
            }
            assertEquals(0, serve.stop(), serve.text());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "netty", "grizzly", "websocket"})
    void connectReconnectsAfterACarrierKill(String transport) throws Exception {
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", transport, "--bind",
                        "127.0.0.1:0", "--forward", "[::10]:80=127.0.0.1:" + http.port())) {
            URI uri = URI.create(serve.await("listening on (\\S+) \\(" + transport + "\\)").group(1));
            try (TcpFaultProxy proxy = new TcpFaultProxy(new InetSocketAddress("127.0.0.1", uri.getPort()))) {
                // The same URI (scheme, path) with the proxy's port: the kill happens below the transport.
                URI viaProxy = new URI(uri.getScheme(), uri.getUserInfo(), uri.getHost(),
                        proxy.localAddress().getPort(), uri.getPath(), uri.getQuery(), uri.getFragment());
                try (RunningCommand connect = RunningCommand.start("connect", "connect", "--transport", transport,
                        "--peer", viaProxy.toString(), "--local", "127.0.0.1:0=[::10]:80", "--reconnect-max", "1")) {
                    String local = connect.await(LOCAL).group(1);
                    connect.await("tunnel ready");
                    get(local, 1);
                    proxy.killAll();
                    Matcher closed = connect.await("tunnel closed: (.*); reconnecting");
                    connect.await("(?s)(tunnel ready.*){2}");
                    get(local, 2);
                    assertEquals(0, connect.stop(), connect.text() + "\nclosed because " + closed.group(1));
                }
            }
            assertEquals(0, serve.stop(), serve.text());
        }
    }

    private void get(String local, int item) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + local + "/item/" + item))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(HttpFixture.itemBody(item), r.body());
    }
}
