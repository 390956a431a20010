package org.p2pvm.examples.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.examples.echo.EchoClient;
import org.p2pvm.examples.echo.EchoReport;
import org.p2pvm.examples.echo.EchoServer;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code p2pvm demo}: two peers in one process. One binds and installs an {@link EchoServer} on
 * every tunnel, the other dials, opens N virtual connections at once through the single tunnel
 * and checks that every byte comes back ({@link EchoClient}). Without {@code --transport} the peers
 * talk through the in-memory transport; with it, over a real loopback connection.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run two peers in this process: N virtual connections through one tunnel, every byte "
                + "echoed and verified, with a live progress line and a summary.",
                "Without --transport the peers use the in-memory transport; with it, a loopback connection."})
final class DemoCommand implements Callable<Integer> {
    /** The echo server's virtual address (the port of the seed's demos). */
    static final VmAddress ECHO_ADDRESS = VmAddress.parse("[::99]:11139");
    static final String MEMORY = "memory";
    static final int DEFAULT_CONNECTIONS = 10_000;
    static final String DEFAULT_BYTES = "16KiB";

    @Spec
    CommandSpec spec;

    @Mixin
    TransportOptions transport;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "" + DEFAULT_CONNECTIONS,
            description = "Virtual connections to open at once (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--bytes", paramLabel = "SIZE", defaultValue = DEFAULT_BYTES,
            converter = Converters.ByteSizeConverter.class,
            description = "Bytes each connection sends and gets back, e.g. 65536, 64k, 1MiB (default: ${DEFAULT-VALUE}).")
    long bytes;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        EchoClient.Settings settings = EchoTestOptions.settings(spec, connections, bytes);
        Duration timeout = EchoTestOptions.timeout(spec, timeoutSeconds);
        String name = transport.nameOr(MEMORY);
        PrintWriter out = spec.commandLine().getOut();
        URI bindUri = name.equals(MEMORY) ? URI.create("memory:p2pvm-demo-" + UUID.randomUUID())
                : URI.create("tcp://127.0.0.1:0");
        TunnelOptions options = TunnelOptions.defaults();
        Duration connectTimeout = options.handshakeTimeout().plusSeconds(20);
        EchoServer echo = new EchoServer(ECHO_ADDRESS);

        try (Transport serverSide = transport.create(name); Transport clientSide = transport.create(name)) {
            TransportServer server = Await.get(serverSide.bind(bindUri, options, t -> t.install(echo.vmServer())),
                    connectTimeout, "cannot listen on " + bindUri);
            Tunnel tunnel = Await.get(clientSide.connect(server.uri(), options), connectTimeout,
                    "cannot open a tunnel to " + server.uri());
            Await.get(tunnel.awaitRemoteListen(ECHO_ADDRESS), connectTimeout,
                    "the echo server did not appear on " + ECHO_ADDRESS);
            out.printf("demo: %d virtual connections of %s each through one %s tunnel (%s), echo server on %s%n",
                    settings.connections(), Units.bytes(settings.bytesPerConnection()), name, server.uri(), ECHO_ADDRESS);
            out.flush();
            EchoReport report = new EchoTestRun("demo over " + name, out, ProgressLine.isTerminal())
                    .run(tunnel, ECHO_ADDRESS, settings, timeout);
            tunnel.close();
            Await.get(tunnel.closeFuture(), options.drainTimeout(), "the tunnel did not close");
            Await.get(server.closeAsync(), options.drainTimeout(), "the server did not close");
            return report.allSucceeded() ? 0 : 1;
        }
    }
}
