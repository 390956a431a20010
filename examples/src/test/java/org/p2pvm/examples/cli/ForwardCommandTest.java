package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Port forwarding end to end with real parts: the JDK's HTTP server behind {@code serve --forward},
 * the JDK's HTTP client through {@code connect --local}; and the reverse direction with
 * {@code connect --expose} and {@code serve --local}; every transport, and nio and grizzly ends mixed.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ForwardCommandTest {
    private static final String LISTENING = "listening on (tcp://127\\.0\\.0\\.1:\\d+) \\(nio\\)";
    private static final String LOCAL = "local listener (127\\.0\\.0\\.1:\\d+) -> ";
    private static final long BIG = 100L << 20;

    private final ForwardedHttp client = new ForwardedHttp();

    @Test
    void httpThroughForwardAndLocal_200ConcurrentRequestsAnd100MegabytesEachWay() throws Exception {
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", "nio", "--bind",
                        "127.0.0.1:0", "--forward", "[::10]:80=127.0.0.1:" + http.port())) {
            String uri = serve.await(LISTENING).group(1);
            try (RunningCommand connect = RunningCommand.start("connect", "connect", "--transport", "nio", "--peer",
                    uri, "--local", "127.0.0.1:0=[::10]:80")) {
                String local = connect.await(LOCAL + "\\[::10]:80").group(1);
                connect.await("tunnel ready");

                client.concurrentRequests(local, 200);
                client.upload(local, BIG);
                client.download(local, BIG);

                assertEquals(0, connect.stop(), connect.text());
            }
            assertEquals(0, serve.stop(), serve.text());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"netty", "grizzly", "websocket"})
    void forwardingWorksOverEveryTransport(String transport) throws Exception {
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", transport, "--bind",
                        "127.0.0.1:0", "--forward", "[::10]:80=127.0.0.1:" + http.port())) {
            String uri = serve.await("listening on (\\S+) \\(" + transport + "\\)").group(1);
            try (RunningCommand connect = RunningCommand.start("connect", "connect", "--transport", transport,
                    "--peer", uri, "--local", "127.0.0.1:0=[::10]:80")) {
                String local = connect.await(LOCAL + "\\[::10]:80").group(1);
                connect.await("tunnel ready");
                client.concurrentRequests(local, 20);
                client.upload(local, 4L << 20);
                client.download(local, 4L << 20);
                assertEquals(0, connect.stop(), connect.text());
            }
            assertEquals(0, serve.stop(), serve.text());
        }
    }

    /** Both transports speak the same wire protocol, so either end may use either one. */
    @org.junit.jupiter.params.ParameterizedTest(name = "serve {0}, connect {1}")
    @org.junit.jupiter.params.provider.CsvSource({"nio, grizzly", "grizzly, nio"})
    void forwardingWorksBetweenDifferentTransports(String serveTransport, String connectTransport) throws Exception {
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", serveTransport, "--bind",
                        "127.0.0.1:0", "--forward", "[::10]:80=127.0.0.1:" + http.port())) {
            String uri = serve.await("listening on (\\S+) \\(" + serveTransport + "\\)").group(1);
            try (RunningCommand connect = RunningCommand.start("connect", "connect", "--transport", connectTransport,
                    "--peer", uri, "--local", "127.0.0.1:0=[::10]:80")) {
                String local = connect.await(LOCAL + "\\[::10]:80").group(1);
                connect.await("tunnel ready");
                client.concurrentRequests(local, 10);
                client.upload(local, 1L << 20);
                client.download(local, 1L << 20);
                assertEquals(0, connect.stop(), connect.text());
            }
            assertEquals(0, serve.stop(), serve.text());
        }
    }

    @Test
    void reverse_exposeOnTheDialerAndLocalOnTheAcceptor() throws Exception {
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", "nio", "--bind",
                        "127.0.0.1:0", "--local", "127.0.0.1:0=[::20]:80")) {
            String uri = serve.await(LISTENING).group(1);
            String local = serve.await(LOCAL + "\\[::20]:80").group(1);
            try (RunningCommand connect = RunningCommand.start("connect", "connect", "--transport", "nio", "--peer",
                    uri, "--expose", "[::20]:80=127.0.0.1:" + http.port())) {
                connect.await("tunnel ready");
                client.concurrentRequests(local, 20);
                client.upload(local, 5L << 20);
                assertEquals(0, connect.stop(), connect.text());
            }
            assertEquals(0, serve.stop(), serve.text());
        }
    }

    @Test
    void aForwardToAClosedPortRefusesTheLocalConnectionAndKeepsRunning() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", "nio", "--bind",
                "127.0.0.1:0", "--forward", "[::10]:80=127.0.0.1:" + closedPort)) {
            String uri = serve.await(LISTENING).group(1);
            try (RunningCommand connect = RunningCommand.start("connect", "connect", "--transport", "nio", "--peer",
                    uri, "--local", "127.0.0.1:0=[::10]:80")) {
                String local = connect.await(LOCAL + "\\[::10]:80").group(1);
                connect.await("tunnel ready");
                try (java.net.Socket s = new java.net.Socket()) {
                    s.connect(hostPort(local), 10_000);
                    s.setSoTimeout(20_000);
                    // The real dial fails on the serve side: the socket ends without a byte.
                    int first;
                    try {
                        first = s.getInputStream().read();
                    } catch (java.net.SocketException reset) {
                        first = -1;
                    }
                    assertEquals(-1, first);
                }
                serve.await("cannot connect");
                assertEquals(false, connect.exit.isDone(), connect.text());
            }
        }
    }

    private static java.net.InetSocketAddress hostPort(String hp) {
        int c = hp.lastIndexOf(':');
        return new java.net.InetSocketAddress(hp.substring(0, c), Integer.parseInt(hp.substring(c + 1)));
    }
}
