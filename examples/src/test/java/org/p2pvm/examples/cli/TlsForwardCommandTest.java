package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Port forwarding over TLS through the tool: {@code serve --forward --tls-cert/--tls-key} and
 * {@code connect --local --tls-ca} with {@code gen-cert} files, real HTTP (the JDK's server and client)
 * through the forward, per TLS-capable transport; {@code --insecure-skip-verify} against a
 * certificate for another host over {@code wss://}; and a wrong CA failing the forwarding
 * {@code connect} in one line. {@link TlsCommandTest} covers the same flags with {@code --echo-test}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsForwardCommandTest {
    private static final String LOCAL = "local listener (127\\.0\\.0\\.1:\\d+) -> \\[::10]:80";
    /** What the wrong CA must produce, after the peer URI (see {@code ConnectCommand.tlsHint}). */
    private static final String NOT_SIGNED = ": TLS handshake failed: the server's certificate is not signed by a CA "
            + "this side trusts";

    @TempDir
    static Path dir;
    /** Server certificate for localhost, 127.0.0.1 and ::1 (gen-cert's default). */
    static Path pki;
    /** Another CA, whose server certificate is only for other.example, a name the tests never dial. */
    static Path otherPki;

    private final ForwardedHttp client = new ForwardedHttp();

    @BeforeAll
    static void generate() {
        pki = dir.resolve("pki");
        otherPki = dir.resolve("other");
        Cli.Result r = Cli.run("gen-cert", "--out", pki.toString());
        assertEquals(0, r.exitCode(), r.toString());
        r = Cli.run("gen-cert", "--out", otherPki.toString(), "--host", "other.example");
        assertEquals(0, r.exitCode(), r.toString());
    }

    private static String f(Path d, String name) {
        return d.resolve(name).toString();
    }

    private static RunningCommand serveTls(String transport, Path certs, int httpPort) {
        return RunningCommand.start("serve-" + transport, "serve", "--transport", transport, "--bind", "127.0.0.1:0",
                "--tls-cert", f(certs, "server.pem"), "--tls-key", f(certs, "server-key.pem"),
                "--forward", "[::10]:80=127.0.0.1:" + httpPort);
    }

    private static String awaitUri(RunningCommand serve, String transport) throws InterruptedException {
        return serve.await("listening on (\\S+) \\(" + transport + "\\)").group(1);
    }

    /**
     * Requests and both directions of bulk data through a TLS tunnel; then a dialer trusting another CA
     * is refused, which also shows that the tunnel above really was TLS with the gen-cert server
     * certificate (the TLS flags were not dropped on the way to the transport).
     */
    @ParameterizedTest
    @ValueSource(strings = {"nio", "netty", "grizzly", "websocket"})
    void httpThroughForwardOverTls_andAWrongCaFailsInOneLine(String transport) throws Exception {
        try (HttpFixture http = new HttpFixture(); RunningCommand serve = serveTls(transport, pki, http.port())) {
            String uri = awaitUri(serve, transport);
            if (transport.equals("websocket")) {
                assertTrue(uri.startsWith("wss://"), "a TLS websocket listener says wss://: " + uri);
            }
            try (RunningCommand connect = RunningCommand.start("connect-" + transport, "connect", "--transport",
                    transport, "--peer", uri, "--tls-ca", f(pki, "ca.pem"), "--local", "127.0.0.1:0=[::10]:80")) {
                String local = connect.await(LOCAL).group(1);
                connect.await("tunnel ready");
                client.concurrentRequests(local, 20);
                client.upload(local, 1L << 20);
                client.download(local, 1L << 20);
                assertEquals(0, connect.stop(), connect.text());
                assertEquals("", connect.err.text(), "nothing on stderr with a verified certificate");
            }

            Cli.Result wrongCa = Cli.run("connect", "--transport", transport, "--peer", uri, "--tls-ca",
                    f(otherPki, "ca.pem"), "--local", "127.0.0.1:0=[::10]:80");
            assertOneLineFailure(wrongCa, "p2pvm connect: cannot open a tunnel to " + uri + NOT_SIGNED);
            assertEquals(0, serve.stop(), serve.text());
        }
    }

    /**
     * The server's certificate is for other.example, the dialer dials 127.0.0.1: refused without
     * {@code --insecure-skip-verify}, working with it and loudly warned about: with {@code --tls-ca}
     * only the host name check is skipped, without it the certificate is not checked at all.
     */
    @ParameterizedTest(name = "with --tls-ca: {0}")
    @ValueSource(booleans = {true, false})
    void insecureSkipVerifyOverWebsocket_hostMismatchRefusedWithoutIt_warnsAndForwardsWithIt(boolean withCa)
            throws Exception {
        try (HttpFixture http = new HttpFixture(); RunningCommand serve = serveTls("websocket", otherPki, http.port())) {
            String uri = awaitUri(serve, "websocket");
            assertTrue(uri.startsWith("wss://127.0.0.1:"), uri);

            Cli.Result strict = Cli.run("connect", "--transport", "websocket", "--peer", uri, "--tls-ca",
                    f(otherPki, "ca.pem"), "--local", "127.0.0.1:0=[::10]:80");
            assertOneLineFailure(strict, "p2pvm connect: cannot open a tunnel to " + uri
                    + ": TLS handshake failed: the server's certificate is not for this host name or address");

            List<String> args = new ArrayList<>(List.of("connect", "--transport", "websocket", "--peer", uri,
                    "--insecure-skip-verify", "--local", "127.0.0.1:0=[::10]:80"));
            if (withCa) {
                args.addAll(List.of("--tls-ca", f(otherPki, "ca.pem")));
            }
            try (RunningCommand connect = RunningCommand.start("connect-insecure", args.toArray(String[]::new))) {
                String local = connect.await(LOCAL).group(1);
                connect.await("tunnel ready");
                List<String> warnings = connect.err.text().lines().toList();
                assertEquals(1, warnings.size(), connect.text());
                assertTrue(warnings.get(0).startsWith("WARNING: --insecure-skip-verify: the server's "
                        + (withCa ? "host name" : "certificate") + " is NOT verified"), connect.text());
                client.concurrentRequests(local, 10);
                client.upload(local, 256L << 10);
                assertEquals(0, connect.stop(), connect.text());
            }
            assertEquals(0, serve.stop(), serve.text());
        }
    }

    private static void assertOneLineFailure(Cli.Result r, String expectedStart) {
        assertAll(r.toString(),
                () -> assertEquals(1, r.exitCode()),
                () -> assertEquals(1, r.errLines().size(), "one line on stderr"),
                () -> assertFalse(r.err().contains("\tat "), "no stack trace"),
                () -> assertTrue(r.err().startsWith(expectedStart), "starts with: " + expectedStart));
    }
}
