package org.p2pvm.examples.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.examples.echo.EchoClient;
import org.p2pvm.examples.echo.EchoReport;
import org.p2pvm.examples.forward.LiveTunnels;
import org.p2pvm.examples.forward.TcpForward;
import org.p2pvm.examples.support.Failures;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.Transports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code p2pvm connect}: dials a peer, opens the tunnel and runs what the options ask for over it:
 * {@code --echo-test} (exits 0 only when every echo connection came back complete and intact), or
 * port forwarding with {@code --local}/{@code --expose}, which runs until interrupted and reconnects
 * whenever the tunnel drops ({@link DialLoop}).
 */
@Command(name = "connect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open a tunnel to a peer and either test it (--echo-test: N concurrent virtual connections "
                + "to the peer's echo server, every byte verified; exits 0 only when all came back complete) or "
                + "forward ports through it (--local, --expose: runs until interrupted, reconnecting when the "
                + "tunnel drops)."})
final class ConnectCommand implements Callable<Integer> {
    /** How long to wait for the peer's listen table to show the target (LISTEN follows the handshake). */
    private static final Duration LISTEN_WAIT = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Mixin
    TransportOptions transport;

    @Option(names = "--peer", paramLabel = "HOST:PORT|URI", required = true,
            converter = Converters.PeerEndpointConverter.class,
            description = "The peer to dial: HOST:PORT or a URI such as ws://host:9988/p2pvm.")
    URI peer;

    @Mixin
    TokenOption token;

    @Mixin
    TlsFlags tlsFlags;

    @Mixin
    MonitorOptions monitor;

    @Option(names = "--echo-test", paramLabel = "VMADDR", converter = Converters.VmAddressConverter.class,
            description = "Test the peer's echo server on this virtual address, e.g. [::99]:11139.")
    VmAddress echoTest;

    @Option(names = "--local", split = ",", paramLabel = "[HOST:]PORT=VMADDR", converter = ForwardSpecs.LocalConverter.class,
            description = "Listen on a real local TCP port (HOST defaults to 127.0.0.1); every accepted socket "
                    + "becomes a virtual connection to VMADDR on the peer, e.g. 127.0.0.1:8080=[::10]:80 (repeatable).")
    List<ForwardSpecs.Local> local = new ArrayList<>();

    @Option(names = "--expose", split = ",", paramLabel = "VMADDR=HOST:PORT", converter = ForwardSpecs.ForwardConverter.class,
            description = "Serve VMADDR to the peer by forwarding each virtual connection to the real TCP HOST:PORT "
                    + "on this side (reverse forwarding, e.g. [::20]:22=127.0.0.1:22; repeatable).")
    List<ForwardSpecs.Forward> expose = new ArrayList<>();

    @Option(names = "--reconnect-max", paramLabel = "SECONDS", defaultValue = "30",
            description = "With --local/--expose: longest wait between reconnection attempts (default: ${DEFAULT-VALUE}).")
    int reconnectMaxSeconds;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "1000",
            description = "Virtual connections to open at once (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--bytes", paramLabel = "SIZE", defaultValue = "64KiB",
            converter = Converters.ByteSizeConverter.class,
            description = "Bytes each connection sends and gets back, e.g. 65536, 64k, 1MiB (default: ${DEFAULT-VALUE}).")
    long bytes;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "Give up after this many seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        boolean forwarding = !local.isEmpty() || !expose.isEmpty();
        if (echoTest == null && !forwarding) {
            throw new ParameterException(spec.commandLine(), "nothing to do: give --echo-test VMADDR, "
                    + "--local [HOST:]PORT=VMADDR or --expose VMADDR=HOST:PORT, e.g. --echo-test [::99]:11139");
        }
        if (echoTest != null && monitor.metrics != null) {
            throw new ParameterException(spec.commandLine(), "--metrics is for --local/--expose runs");
        }
        if (echoTest != null && forwarding) {
            throw new ParameterException(spec.commandLine(),
                    "--echo-test runs once and exits; it cannot be combined with --local or --expose");
        }
        if (reconnectMaxSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--reconnect-max must be at least 1 second");
        }
        if (forwarding) {
            return forward();
        }
        EchoClient.Settings settings = EchoTestOptions.settings(spec, connections, bytes);
        Duration timeout = EchoTestOptions.timeout(spec, timeoutSeconds);
        String name = transport.nameOr(Transports.defaultName());
        TunnelOptions options = token.tunnelOptions(tlsFlags.clientTls(spec, name, spec.commandLine().getErr()));
        PrintWriter out = spec.commandLine().getOut();

        try (Transport t = transport.create(name)) {
            Tunnel tunnel = dial(t, options);
            // Ctrl-C: tell the peer why the tunnel goes away instead of just dropping the carrier.
            Thread hook = new Thread(() -> closeOnExit(tunnel), "p2pvm-connect-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                out.printf("tunnel open to %s over %s (carrier %s -> %s)%n", peer, name, tunnel.carrierLocalAddress(),
                        tunnel.carrierRemoteAddress());
                out.flush();
                awaitListen(tunnel, echoTest);
                EchoReport report = new EchoTestRun("echo test over " + name, out, ProgressLine.isTerminal())
                        .run(tunnel, echoTest, settings, timeout);
                tunnel.close();
                Await.get(tunnel.closeFuture(), options.drainTimeout(), "the tunnel did not close");
                return report.allSucceeded() ? 0 : 1;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is exiting; the hook runs
                }
            }
        }
    }

    /** {@code --local}/{@code --expose}: serve until interrupted, reconnecting when the tunnel drops. */
    private int forward() throws Exception {
        String name = transport.nameOr(Transports.defaultName());
        TunnelOptions options = token.tunnelOptions(tlsFlags.clientTls(spec, name, spec.commandLine().getErr()));
        EventLog log = new EventLog(spec.commandLine().getOut());
        LiveTunnels live = new LiveTunnels();
        try (Forwarding forwarding = new Forwarding(log)) {
            List<TcpForward> exposes = forwarding.forwards(expose);
            forwarding.listen(local, live);
            for (String l : forwarding.describeListeners()) {
                log.log("local listener " + l);
            }
            try (Transport t = transport.create(name);
                    AutoCloseable monitoring = monitor.start(live, log, spec.commandLine().getOut())) {
                Tunnel first = dial(t, options);
                DialLoop loop = new DialLoop(t, peer, options, exposes, live, log, Duration.ofMillis(200),
                        Duration.ofSeconds(reconnectMaxSeconds));
                Thread main = Thread.currentThread();
                Thread hook = new Thread(() -> stopOnExit(main), "p2pvm-connect-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
                try {
                    loop.run(first);
                } catch (InterruptedException e) {
                    return 0;
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException e) {
                        // the JVM is exiting; the hook runs
                    }
                }
                return 0;
            }
        }
    }

    /** Ctrl-C: interrupt the dial loop, which closes the tunnel with CANCELLED, and give it a moment. */
    private static void stopOnExit(Thread main) {
        main.interrupt();
        try {
            main.join(3000);
        } catch (InterruptedException e) {
            // exiting anyway
        }
    }

    private Tunnel dial(Transport t, TunnelOptions options) throws InterruptedException {
        try {
            return Await.get(t.connect(peer, options), options.handshakeTimeout().plusSeconds(20),
                    "cannot open a tunnel to " + peer);
        } catch (CliFailure e) {
            if (Failures.errorCode(e.getCause()) == ErrorCode.AUTH_FAILED) {
                throw new CliFailure(e.getMessage() + "; give both ends the same --token or " + TokenOption.ENV,
                        e.getCause());
            }
            String tls = tlsHint(e);
            if (tls != null) {
                throw new CliFailure("cannot open a tunnel to " + peer + ": TLS handshake failed: " + tls, e.getCause());
            }
            throw e;
        }
    }

    /** A plain-words reason for a failed TLS handshake, or null when the failure is not one. */
    static String tlsHint(Throwable failure) {
        String m = failure.getMessage() == null ? "" : failure.getMessage();
        // grizzly reports a wrong CA as the bare JDK "PKIX path building failed ... certification path",
        // with none of the other words in it
        if (!m.contains("SSL") && !m.contains("TLS") && !m.contains("certificate") && !m.contains("PKIX")) {
            return null;
        }
        if (m.contains("PKIX path") || m.contains("certification path")) {
            return "the server's certificate is not signed by a CA this side trusts (check --tls-ca)";
        }
        if (m.contains("subject alternative") || m.contains("No name matching")) {
            return "the server's certificate is not for this host name or address (gen-cert --host, or "
                    + "--insecure-skip-verify for trials)";
        }
        if (m.contains("certificate_required") || m.contains("bad_certificate") || m.contains("Empty client")) {
            return "the server asks for a client certificate (give --tls-cert and --tls-key)";
        }
        if (m.contains("certificate_unknown")) {
            return "the server does not trust this side's client certificate";
        }
        return null;
    }

    private static void closeOnExit(Tunnel tunnel) {
        tunnel.close(ErrorCode.CANCELLED, "p2pvm connect interrupted");
        try {
            tunnel.closeFuture().get(2, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // exiting anyway
        }
    }

    /** Fails with the peer's listen table when the target does not show up in it. */
    private static void awaitListen(Tunnel tunnel, VmAddress target) throws InterruptedException {
        try {
            Await.get(tunnel.awaitRemoteListen(target), LISTEN_WAIT, "");
        } catch (CliFailure e) {
            if (!tunnel.isOpen()) {
                throw new CliFailure("the tunnel closed before the peer listed " + target + e.getMessage(), e);
            }
            tunnel.close();
            String listens = tunnel.remoteListens().stream().map(VmAddress::toString).sorted()
                    .collect(java.util.stream.Collectors.joining(", "));
            throw new CliFailure("the peer does not listen on " + target + " (it listens on "
                    + (listens.isEmpty() ? "nothing" : listens) + ")", e);
        }
    }
}
