package org.p2pvm.examples.cli;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmServer;
import org.p2pvm.examples.echo.EchoServer;
import org.p2pvm.examples.forward.LiveTunnels;
import org.p2pvm.examples.forward.TcpForward;
import org.p2pvm.examples.support.Failures;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code p2pvm serve}: accepts carriers and, on every tunnel, installs the virtual servers the
 * options ask for ({@code --echo}, {@code --forward}), and feeds its {@code --local} listeners
 * into the newest open tunnel. Runs until interrupted (Ctrl-C: a shutdown hook closes the
 * transport, which sends GOAWAY SHUTDOWN on every tunnel) or until its thread is interrupted.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Accept tunnels and serve virtual services on each of them until interrupted.",
                "Prints 'listening on URI' once bound and one line per tunnel opened and closed."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    TransportOptions transport;

    @Option(names = "--bind", paramLabel = "HOST:PORT|URI", required = true,
            converter = Converters.BindEndpointConverter.class,
            description = "Where to accept carriers: HOST:PORT (port 0 picks a free one) or a URI such as "
                    + "ws://0.0.0.0:9988/p2pvm.")
    URI bind;

    @Mixin
    TokenOption token;

    @Mixin
    TlsFlags tlsFlags;

    @Mixin
    MonitorOptions monitor;

    @Option(names = "--echo", split = ",", paramLabel = "VMADDR", converter = Converters.VmAddressConverter.class,
            description = "Run an echo server on this virtual address, e.g. [::99]:11139 (repeatable).")
    List<VmAddress> echo = new ArrayList<>();

    @Option(names = "--forward", split = ",", paramLabel = "VMADDR=HOST:PORT", converter = ForwardSpecs.ForwardConverter.class,
            description = "Serve VMADDR on every tunnel by forwarding each virtual connection to the real TCP "
                    + "HOST:PORT, e.g. [::10]:80=127.0.0.1:8080 (repeatable).")
    List<ForwardSpecs.Forward> forward = new ArrayList<>();

    @Option(names = "--local", split = ",", paramLabel = "[HOST:]PORT=VMADDR", converter = ForwardSpecs.LocalConverter.class,
            description = "Listen on a real local TCP port (HOST defaults to 127.0.0.1) and connect every socket to "
                    + "VMADDR on the peer through the newest open tunnel: the reverse of connect --expose, "
                    + "e.g. 8080=[::10]:80 (repeatable).")
    List<ForwardSpecs.Local> local = new ArrayList<>();

    @Option(names = "--max-tunnels", paramLabel = "N", defaultValue = "0",
            description = "Close tunnels beyond N open at once with GOAWAY LIMIT_EXCEEDED (default: 0, no limit).")
    int maxTunnels;

    /** How long a shutdown waits for tunnels to drain before closing the transport anyway. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final AtomicInteger tunnelIds = new AtomicInteger();
    private final AtomicInteger openTunnels = new AtomicInteger();

    @Override
    public Integer call() throws InterruptedException {
        if (maxTunnels < 0) {
            throw new ParameterException(spec.commandLine(), "--max-tunnels must be 0 (no limit) or more");
        }
        EventLog log = new EventLog(spec.commandLine().getOut());
        Forwarding forwarding = new Forwarding(log);
        List<VmServer> services = services(forwarding);
        String name = transport.nameOr(Transports.defaultName());
        TunnelOptions options = token.tunnelOptions(tlsFlags.serverTls(spec, name));
        LiveTunnels live = new LiveTunnels();
        forwarding.listen(local, live);

        Transport t;
        try {
            t = transport.create(name);
        } catch (RuntimeException e) {
            forwarding.close();
            throw e;
        }
        AtomicReference<TransportServer> bound = new AtomicReference<>();
        Thread hook = new Thread(() -> shutdown(bound.get(), t, log), "p2pvm-serve-shutdown");
        AutoCloseable monitoring = null;
        try {
            TransportServer server = Await.get(t.bind(bind, options, tunnel -> onTunnel(tunnel, services, live, log)),
                    Duration.ofSeconds(30), "cannot listen on " + bind);
            bound.set(server);
            log.log("listening on " + server.uri() + " (" + name + "), serving " + describe(services));
            for (String l : forwarding.describeListeners()) {
                log.log("local listener " + l);
            }
            monitoring = monitor.start(live, log, spec.commandLine().getOut());
            Runtime.getRuntime().addShutdownHook(hook);
            // Until Ctrl-C (the hook closes the transport, then the JVM exits) or an interrupt.
            new CountDownLatch(1).await();
            return 0;
        } catch (InterruptedException e) {
            removeHook(hook);
            shutdown(bound.get(), t, log);
            return 0;
        } finally {
            removeHook(hook);
            closeQuietly(monitoring);
            forwarding.close();
            t.close();
        }
    }

    /** Closes every tunnel with GOAWAY SHUTDOWN and waits a little for them, then the transport. */
    private static void shutdown(TransportServer server, Transport t, EventLog log) {
        if (server != null) {
            log.log("shutting down: closing every tunnel");
            try {
                server.closeAsync().get(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.log("tunnels not closed within " + Units.seconds(SHUTDOWN_WAIT) + ": " + Failures.describe(e));
            }
        }
        t.close();
    }

    /** The virtual servers to install on every tunnel; a usage error when there is none. */
    private List<VmServer> services(Forwarding forwarding) {
        List<VmServer> services = new ArrayList<>();
        if (!echo.isEmpty()) {
            services.add(new EchoServer(echo).vmServer());
        }
        for (TcpForward f : forwarding.forwards(forward)) {
            services.add(f.vmServer());
        }
        if (services.isEmpty() && local.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "nothing to serve: give at least one --echo VMADDR, "
                    + "--forward VMADDR=HOST:PORT or --local PORT=VMADDR, e.g. --echo [::99]:11139");
        }
        return services;
    }

    /** Runs on the new tunnel's executor, before any frame after the handshake. */
    private void onTunnel(Tunnel tunnel, List<VmServer> services, LiveTunnels live, EventLog log) {
        int id = tunnelIds.incrementAndGet();
        Object peer = tunnel.carrierRemoteAddress();
        int open = openTunnels.incrementAndGet();
        tunnel.closeFuture().whenComplete((r, f) -> openTunnels.decrementAndGet());
        if (maxTunnels > 0 && open > maxTunnels) {
            log.log("tunnel " + id + " from " + peer + " refused: --max-tunnels " + maxTunnels + " are open");
            tunnel.close(ErrorCode.LIMIT_EXCEEDED, "the server allows " + maxTunnels + " tunnels at once");
            return;
        }
        log.log("tunnel " + id + " opened from " + peer);
        for (VmServer s : services) {
            tunnel.install(s).whenComplete((v, failure) -> {
                if (failure != null) {
                    log.log("tunnel " + id + ": cannot install " + s + ": " + Failures.describe(failure));
                }
            });
        }
        live.add(tunnel);
        tunnel.closeFuture().thenAccept(reason -> log.log("tunnel " + id + " from " + peer + " closed: " + reason));
    }

    private static String describe(List<VmServer> services) {
        if (services.isEmpty()) {
            return "nothing (local listeners only)";
        }
        List<String> parts = new ArrayList<>();
        for (VmServer s : services) {
            parts.add(s.name() + " on " + String.join(", ", s.addresses().stream().map(VmAddress::toString).toList()));
        }
        return String.join("; ", parts);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // stopping anyway
            }
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // The JVM is already shutting down, or the hook was never added.
        }
    }
}
