package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.examples.echo.EchoServer;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * Failures while running (port in use, nobody listening, wrong token, nothing at the virtual
 * address): one line on stderr naming the cause, no stack trace, exit code 1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RuntimeFailuresTest {

    private static void assertRuntimeFailure(Cli.Result r, String prefix, String... parts) {
        assertAll(r.toString(),
                () -> assertEquals(1, r.exitCode()),
                () -> assertEquals(1, r.errLines().size(), "one line on stderr"),
                () -> assertTrue(r.err().startsWith(prefix), "starts with " + prefix),
                () -> assertFalse(r.err().contains("\tat "), "no stack trace"),
                () -> {
                    for (String part : parts) {
                        assertTrue(r.err().contains(part), "mentions " + part);
                    }
                });
    }

    /** A loopback port nobody listens on (bound, then released). */
    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void portInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            Cli.Result r = Cli.run("serve", "--transport", "nio", "--bind", "127.0.0.1:" + port,
                    "--echo", "[::99]:11139");
            assertRuntimeFailure(r, "p2pvm serve: cannot listen on tcp://127.0.0.1:" + port + ": ", "in use");
        }
    }

    @Test
    void unreachablePeer() throws Exception {
        int port = closedPort();
        Cli.Result r = Cli.run("connect", "--transport", "nio", "--peer", "127.0.0.1:" + port,
                "--echo-test", "[::99]:11139");
        assertRuntimeFailure(r, "p2pvm connect: cannot open a tunnel to tcp://127.0.0.1:" + port + ": ",
                "connection refused");
    }

    @Test
    void wrongToken() throws Exception {
        VmAddress echo = VmAddress.parse("[::99]:11139");
        try (Transport t = Transports.get("nio")) {
            TransportServer server = t.bind(URI.create("tcp://127.0.0.1:0"),
                    TunnelOptions.builder().authToken("right").build(),
                    tunnel -> tunnel.install(new EchoServer(echo).vmServer())).get(10, TimeUnit.SECONDS);
            Cli.Result r = Cli.run("connect", "--transport", "nio", "--peer", server.uri().toString(),
                    "--token", "wrong", "--echo-test", "[::99]:11139");
            assertRuntimeFailure(r, "p2pvm connect: cannot open a tunnel to " + server.uri() + ": handshake failed",
                    "AUTH_FAILED", "same --token or P2PVM_TOKEN");
        }
    }

    @Test
    void nothingListensOnTheVirtualAddress() throws Exception {
        try (Transport t = Transports.get("nio")) {
            TransportServer server = t.bind(URI.create("tcp://127.0.0.1:0"), TunnelOptions.defaults(),
                    tunnel -> tunnel.install(new EchoServer(VmAddress.parse("[::1]:7")).vmServer()))
                    .get(10, TimeUnit.SECONDS);
            Cli.Result r = Cli.run("connect", "--transport", "nio", "--peer", server.uri().toString(),
                    "--echo-test", "[::99]:11139");
            assertRuntimeFailure(r, "p2pvm connect: the peer does not listen on [::99]:11139 (it listens on [::1]:7)");
        }
    }

    @Test
    void verboseShowsTheStackTraceOfARuntimeFailure() throws Exception {
        int port = closedPort();
        Cli.Result r = Cli.run("connect", "-v", "--transport", "nio", "--peer", "127.0.0.1:" + port,
                "--echo-test", "[::99]:11139");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("\tat "), r.toString());
    }

    @Test
    void transportsListsMemoryAndNio() {
        Cli.Result r = Cli.run("transports");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("NAME"), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("nio ")), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("memory ")), r.toString());
    }
}
