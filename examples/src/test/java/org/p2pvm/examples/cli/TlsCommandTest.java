package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gen-cert} output used by {@code serve}/{@code connect} with the {@code --tls-*} flags over
 * a TLS-capable transport (netty), and the one-line
 * failures: wrong CA, client certificate required and missing, TLS flags on the in-memory transport.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsCommandTest {
    private static final String LISTENING = "listening on (tcp://127\\.0\\.0\\.1:\\d+) \\(netty\\)";

    @TempDir
    static Path dir;
    static Path pki;
    static Path otherPki;

    @BeforeAll
    static void generate() {
        pki = dir.resolve("pki");
        otherPki = dir.resolve("other");
        Cli.Result r = Cli.run("gen-cert", "--out", pki.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(0, Cli.run("gen-cert", "--out", otherPki.toString(), "--host", "localhost").exitCode());
    }

    private static String f(Path d, String name) {
        return d.resolve(name).toString();
    }

    private static void assertOneLineFailure(Cli.Result r, int exit, String... parts) {
        assertAll(r.toString(),
                () -> assertEquals(exit, r.exitCode()),
                () -> assertEquals(1, r.errLines().size(), "one line on stderr"),
                () -> assertFalse(r.err().contains("\tat "), "no stack trace"),
                () -> {
                    for (String p : parts) {
                        assertTrue(r.err().contains(p), "mentions " + p);
                    }
                });
    }

    @Test
    void genCertWritesFiveFilesAndRefusesToOverwrite() throws Exception {
        for (String name : TrialPki.FILES) {
            assertTrue(Files.size(pki.resolve(name)) > 100, name);
        }
        assertTrue(Files.readString(pki.resolve("server-key.pem")).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertOneLineFailure(Cli.run("gen-cert", "--out", pki.toString()), 1, "exists", "--force");
    }

    @Test
    void echoAndForwardingOverTlsWithGenCertFiles_wrongCaAndMissingClientCertFailInOneLine() throws Exception {
        try (RunningCommand serve = RunningCommand.start("serve-tls", "serve", "--transport", "netty", "--bind",
                "127.0.0.1:0", "--tls-cert", f(pki, "server.pem"), "--tls-key", f(pki, "server-key.pem"),
                "--echo", "[::99]:11139")) {
            String uri = serve.await(LISTENING).group(1);

            Cli.Result ok = Cli.run("connect", "--transport", "netty", "--peer", uri, "--tls-ca", f(pki, "ca.pem"),
                    "--echo-test", "[::99]:11139", "--connections", "50", "--bytes", "20k");
            assertEquals(0, ok.exitCode(), ok.toString());
            assertTrue(ok.out().contains("50 of 50 connections OK"), ok.toString());

            Cli.Result wrongCa = Cli.run("connect", "--transport", "netty", "--peer", uri, "--tls-ca",
                    f(otherPki, "ca.pem"), "--echo-test", "[::99]:11139", "--connections", "1");
            assertOneLineFailure(wrongCa, 1, "p2pvm connect: cannot open a tunnel to " + uri
                    + ": TLS handshake failed: the server's certificate is not signed by a CA this side trusts");

            Cli.Result insecure = Cli.run("connect", "--transport", "netty", "--peer", uri, "--insecure-skip-verify",
                    "--echo-test", "[::99]:11139", "--connections", "5", "--bytes", "1k");
            assertEquals(0, insecure.exitCode(), insecure.toString());
            assertTrue(insecure.err().startsWith("WARNING: --insecure-skip-verify"), insecure.toString());
        }
    }

    @Test
    void clientCertificateRequired() throws Exception {
        try (RunningCommand serve = RunningCommand.start("serve-mtls", "serve", "--transport", "netty", "--bind",
                "127.0.0.1:0", "--tls-cert", f(pki, "server.pem"), "--tls-key", f(pki, "server-key.pem"),
                "--tls-ca", f(pki, "ca.pem"), "--tls-client-auth", "required", "--echo", "[::99]:11139")) {
            String uri = serve.await(LISTENING).group(1);
            Cli.Result ok = Cli.run("connect", "--transport", "netty", "--peer", uri, "--tls-ca", f(pki, "ca.pem"),
                    "--tls-cert", f(pki, "client.pem"), "--tls-key", f(pki, "client-key.pem"),
                    "--echo-test", "[::99]:11139", "--connections", "5", "--bytes", "1k");
            assertEquals(0, ok.exitCode(), ok.toString());
            Cli.Result missing = Cli.run("connect", "--transport", "netty", "--peer", uri, "--tls-ca",
                    f(pki, "ca.pem"), "--echo-test", "[::99]:11139", "--connections", "1");
            assertOneLineFailure(missing, 1, "p2pvm connect: ");
        }
    }

    @Test
    void tlsFlagMistakesAreUsageErrors() {
        assertOneLineFailure(Cli.run("serve", "--transport", "memory", "--bind", "memory:tls", "--tls-cert",
                f(pki, "server.pem"), "--tls-key", f(pki, "server-key.pem"), "--echo", "[::99]:1"), 2, "no TLS");
        assertOneLineFailure(Cli.run("serve", "--transport", "netty", "--bind", "127.0.0.1:0", "--tls-cert",
                f(pki, "server.pem"), "--echo", "[::99]:1"), 2, "--tls-key");
        assertOneLineFailure(Cli.run("serve", "--transport", "netty", "--bind", "127.0.0.1:0", "--tls-cert",
                f(pki, "server.pem"), "--tls-key", f(pki, "server-key.pem"), "--tls-client-auth", "required",
                "--echo", "[::99]:1"), 2, "--tls-ca");
        assertOneLineFailure(Cli.run("serve", "--bind", "127.0.0.1:0", "--tls-client-auth", "sometimes",
                "--echo", "[::99]:1"), 2, "none, optional or required");
        assertOneLineFailure(Cli.run("connect", "--transport", "netty", "--peer", "127.0.0.1:9", "--tls-ca",
                f(pki, "nope.pem"), "--echo-test", "[::99]:1"), 2, "nope.pem");
    }
}
