package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Wrong arguments: each one ends with exactly one line on stderr, naming the command and the
 * problem, no stack trace, and exit code 2 (picocli's usage error).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CliArgumentsTest {

    /** Asserts a usage error: exit 2, one stderr line starting with {@code prefix} and containing every part. */
    private static Cli.Result assertUsageError(String prefix, String[] args, String... parts) {
        Cli.Result r = Cli.run(args);
        assertAll(r.toString(),
                () -> assertEquals(2, r.exitCode()),
                () -> assertEquals(1, r.errLines().size(), "one line on stderr"),
                () -> assertTrue(r.err().startsWith(prefix), "starts with " + prefix),
                () -> {
                    for (String part : parts) {
                        assertTrue(r.err().contains(part), "mentions " + part);
                    }
                },
                () -> assertTrue(r.out().isEmpty(), "nothing on stdout"));
        return r;
    }

    private static String[] args(String... a) {
        return a;
    }

    @Test
    void noSubcommandPrintsUsageAndExits2() {
        Cli.Result r = Cli.run();
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("Usage: p2pvm"), r.toString());
    }

    @Test
    void unknownSubcommand() {
        assertUsageError("p2pvm: ", args("demoo"), "unknown command 'demoo'", "did you mean 'demo'", "see 'p2pvm --help'");
    }

    @Test
    void unknownOption() {
        assertUsageError("p2pvm demo: ", args("demo", "--conections", "5"), "--conections");
    }

    @Test
    void unknownTransportListsTheAvailableOnes() {
        assertUsageError("p2pvm demo: ", args("demo", "--transport", "carrier-pigeon"),
                "unknown transport 'carrier-pigeon'", "available:");
    }

    @Test
    void ipv4VirtualAddressIsRejectedWithVmAddressParseMessage() {
        assertUsageError("p2pvm serve: ", args("serve", "--bind", "127.0.0.1:0", "--echo", "10.0.0.1:80"),
                "--echo", "'10.0.0.1:80' is IPv4", "IPv6");
        assertUsageError("p2pvm connect: ", args("connect", "--peer", "127.0.0.1:9", "--echo-test", "1.2.3.4:5"),
                "--echo-test", "is IPv4");
    }

    @Test
    void virtualAddressWithoutPort() {
        assertUsageError("p2pvm serve: ", args("serve", "--bind", "127.0.0.1:0", "--echo", "[::99]"), "port");
    }

    @Test
    void bindPortOutOfRange() {
        assertUsageError("p2pvm serve: ", args("serve", "--bind", "127.0.0.1:70000", "--echo", "[::99]:1"),
                "--bind", "out of range");
    }

    @Test
    void peerPortZeroIsRejected() {
        assertUsageError("p2pvm connect: ", args("connect", "--peer", "127.0.0.1:0", "--echo-test", "[::99]:1"),
                "--peer", "out of range 1..65535");
    }

    @Test
    void bareIpv6HostNeedsBrackets() {
        assertUsageError("p2pvm connect: ", args("connect", "--peer", "::1:9988", "--echo-test", "[::99]:1"),
                "--peer", "brackets");
    }

    @Test
    void serveWithoutServiceSaysWhatIsMissing() {
        assertUsageError("p2pvm serve: ", args("serve", "--bind", "127.0.0.1:0"), "nothing to serve", "--echo", "--forward", "--local");
    }

    @Test
    void serveWithoutBind() {
        assertUsageError("p2pvm serve: ", args("serve", "--echo", "[::99]:11139"), "Missing required option", "--bind");
    }

    @Test
    void connectWithoutPeer() {
        assertUsageError("p2pvm connect: ", args("connect", "--echo-test", "[::99]:11139"),
                "Missing required option", "--peer");
    }

    @Test
    void connectWithoutAction() {
        assertUsageError("p2pvm connect: ", args("connect", "--peer", "127.0.0.1:9988"), "nothing to do",
                "--echo-test", "--local", "--expose");
    }

    @Test
    void connectionsOutOfRange() {
        assertUsageError("p2pvm demo: ", args("demo", "--connections", "0"), "--connections is 0");
        assertUsageError("p2pvm connect: ",
                args("connect", "--peer", "127.0.0.1:9", "--echo-test", "[::99]:1", "--connections", "-3"),
                "--connections is -3");
    }

    @Test
    void badByteCount() {
        assertUsageError("p2pvm demo: ", args("demo", "--bytes", "12 parsecs"), "--bytes", "not a byte count");
    }

    @Test
    void badTimeout() {
        assertUsageError("p2pvm demo: ", args("demo", "--timeout", "0"), "--timeout is 0");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result r = Cli.run("demo", "--verbose", "--transport", "carrier-pigeon");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.errLines().size() > 1, r.toString());
        assertTrue(r.err().contains("\tat "), r.toString());
    }

    @Test
    void helpOfEveryCommandExits0() {
        for (String command : new String[] {"transports", "demo", "serve", "connect"}) {
            Cli.Result r = Cli.run(command, "--help");
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.out().contains("Usage: p2pvm " + command), r.toString());
        }
    }

    @Test
    void versionNamesTheTool() {
        Cli.Result r = Cli.run("--version");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("p2pvm "), r.toString());
    }
}
