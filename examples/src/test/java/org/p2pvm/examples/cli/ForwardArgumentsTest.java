package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Wrong port forwarding arguments: one line on stderr, exit 2 (usage) or 1 (port in use). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForwardArgumentsTest {

    private static void assertOneLine(int exit, Cli.Result r, String prefix, String... parts) {
        assertAll(r.toString(),
                () -> assertEquals(exit, r.exitCode()),
                () -> assertEquals(1, r.errLines().size(), "one line on stderr"),
                () -> assertTrue(r.err().startsWith(prefix), "starts with " + prefix),
                () -> assertTrue(!r.err().contains("\tat "), "no stack trace"),
                () -> {
                    for (String part : parts) {
                        assertTrue(r.err().contains(part), "mentions " + part);
                    }
                });
    }

    @Test
    void forwardWithoutEquals() {
        assertOneLine(2, Cli.run("serve", "--bind", "127.0.0.1:0", "--forward", "[::10]:80"),
                "p2pvm serve: ", "VMADDR=HOST:PORT");
    }

    @Test
    void forwardWithIpv4VirtualAddress() {
        assertOneLine(2, Cli.run("serve", "--bind", "127.0.0.1:0", "--forward", "10.0.0.1:80=127.0.0.1:8080"),
                "p2pvm serve: ", "IPv6");
    }

    @Test
    void forwardTargetWithoutHost() {
        assertOneLine(2, Cli.run("serve", "--bind", "127.0.0.1:0", "--forward", "[::10]:80=8080"),
                "p2pvm serve: ", "HOST:PORT");
    }

    @Test
    void forwardTargetPortOutOfRange() {
        assertOneLine(2, Cli.run("serve", "--bind", "127.0.0.1:0", "--forward", "[::10]:80=127.0.0.1:99999"),
                "p2pvm serve: ", "out of range");
    }

    @Test
    void localWithIpv4VirtualAddress() {
        assertOneLine(2, Cli.run("connect", "--peer", "127.0.0.1:9", "--local", "8080=192.168.1.1:80"),
                "p2pvm connect: ", "IPv6");
    }

    @Test
    void localWithGarbage() {
        assertOneLine(2, Cli.run("connect", "--peer", "127.0.0.1:9", "--local", "here=[::10]:80"),
                "p2pvm connect: ", "[HOST:]PORT=VMADDR");
    }

    @Test
    void echoTestAndForwardingTogether() {
        assertOneLine(2, Cli.run("connect", "--peer", "127.0.0.1:9", "--echo-test", "[::99]:1", "--local",
                "0=[::10]:80"), "p2pvm connect: ", "cannot be combined");
    }

    @Test
    void localPortInUseFailsBeforeDialing() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            assertOneLine(1, Cli.run("connect", "--transport", "nio", "--peer", "127.0.0.1:9", "--local",
                    "127.0.0.1:" + port + "=[::10]:80"), "p2pvm connect: cannot listen on 127.0.0.1:" + port, "in use");
            assertOneLine(1, Cli.run("serve", "--transport", "nio", "--bind", "127.0.0.1:0", "--local",
                    port + "=[::10]:80"), "p2pvm serve: cannot listen on 127.0.0.1:" + port, "in use");
        }
    }

    @Test
    void unreachablePeerWithForwardingIsAOneLineFailure() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertOneLine(1, Cli.run("connect", "--transport", "nio", "--peer", "127.0.0.1:" + port, "--local",
                "127.0.0.1:0=[::10]:80"), "p2pvm connect: cannot open a tunnel to tcp://127.0.0.1:" + port);
    }
}
