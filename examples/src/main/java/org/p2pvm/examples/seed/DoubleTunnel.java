package org.p2pvm.examples.seed;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.examples.echo.EchoServer;
import org.p2pvm.examples.support.Failures;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * Seed demo 16, "double tunnel with authentication": a client keeps TWO tunnels to one server, each
 * over its own carrier and each authenticated by the handshake token (PROTOCOL.md §4): one for
 * commands, one for bulk data, so a large transfer never queues behind a small request. The server
 * serves the same virtual address on both. A third dial with a wrong token is refused before any
 * stream can open (AUTH_FAILED).
 */
public final class DoubleTunnel {
    private DoubleTunnel() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(run());
    }

    /** A one-paragraph account of what happened. */
    public static String run() throws Exception {
        VmAddress echo = VmAddress.parse("[::99]:11139");
        TunnelOptions good = TunnelOptions.builder().authToken("correct horse battery staple").build();
        TunnelOptions bad = TunnelOptions.builder().authToken("guess").build();
        try (Transport transport = Transports.get("nio")) {
            EchoServer server = new EchoServer(echo);
            TransportServer bound = transport.bind(URI.create("tcp://127.0.0.1:0"), good,
                    t -> t.install(server.vmServer())).get(10, TimeUnit.SECONDS);

            Tunnel commands = transport.connect(bound.uri(), good).get(30, TimeUnit.SECONDS);
            Tunnel bulk = transport.connect(bound.uri(), good).get(30, TimeUnit.SECONDS);
            String a = roundTrip(commands, echo, "status?");
            String b = roundTrip(bulk, echo, "x".repeat(1 << 20));

            String refused;
            try {
                transport.connect(bound.uri(), bad).get(30, TimeUnit.SECONDS).close();
                refused = "NOT refused (unexpected)";
            } catch (ExecutionException e) {
                refused = "refused: " + (Failures.errorCode(e.getCause()) == ErrorCode.AUTH_FAILED
                        ? "AUTH_FAILED" : Failures.describe(e));
            }
            commands.close();
            bulk.close();
            return "commands tunnel echoed '" + a + "' over " + commands.carrierLocalAddress() + "; bulk tunnel echoed "
                    + b.length() + " bytes over " + bulk.carrierLocalAddress() + "; wrong token " + refused;
        }
    }

    private static String roundTrip(Tunnel tunnel, VmAddress echo, String text) throws Exception {
        tunnel.awaitRemoteListen(echo).get(10, TimeUnit.SECONDS);
        VmConnection c = tunnel.connect(echo).get(10, TimeUnit.SECONDS);
        CompletableFuture<byte[]> reply = CompletableFuture.supplyAsync(() -> {
            try {
                return c.inputStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (var out = c.outputStream()) {
            out.write(text.getBytes(UTF_8));
        }
        return new String(reply.get(30, TimeUnit.SECONDS), UTF_8);
    }
}
