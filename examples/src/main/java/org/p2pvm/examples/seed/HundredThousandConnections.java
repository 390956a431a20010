package org.p2pvm.examples.seed;

import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.examples.echo.EchoClient;
import org.p2pvm.examples.echo.EchoReport;
import org.p2pvm.examples.echo.EchoServer;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * Seed demo 15: 100,000 virtual connections at once through ONE tunnel over one TCP connection
 * (nio, loopback). Peer A installs an echo server; peer B opens every connection with the
 * non-blocking handler API (no thread per connection), sends a small message on each and checks
 * every byte that comes back. Usage: {@code HundredThousandConnections [connections] [bytes]}.
 */
public final class HundredThousandConnections {
    private HundredThousandConnections() {
    }

    public static void main(String[] args) throws Exception {
        int connections = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        long bytes = args.length > 1 ? Long.parseLong(args[1]) : 256;
        EchoReport report = run(connections, bytes);
        System.out.println(report.succeeded() + " of " + report.connections() + " connections echoed "
                + report.bytesPerConnection() + " bytes each through one tunnel");
        System.exit(report.allSucceeded() ? 0 : 1);
    }

    /** Runs the demo and returns the echo report. */
    public static EchoReport run(int connections, long bytesEach) throws Exception {
        VmAddress echoAddress = VmAddress.parse("[::99]:11139");
        TunnelOptions options = TunnelOptions.builder().authToken("demo-15").build();
        try (Transport transport = Transports.get("nio")) {
            EchoServer echo = new EchoServer(echoAddress);
            TransportServer server = transport.bind(URI.create("tcp://127.0.0.1:0"), options,
                    tunnel -> tunnel.install(echo.vmServer())).get(10, TimeUnit.SECONDS);
            Tunnel tunnel = transport.connect(server.uri(), options).get(30, TimeUnit.SECONDS);
            tunnel.awaitRemoteListen(echoAddress).get(10, TimeUnit.SECONDS);
            EchoReport report = new EchoClient(tunnel, echoAddress, EchoClient.Settings.of(connections, bytesEach))
                    .run().get(10, TimeUnit.MINUTES);
            tunnel.close();
            tunnel.closeFuture().get(10, TimeUnit.SECONDS);
            return report;
        }
    }
}
