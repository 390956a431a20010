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
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmServer;
import org.p2pvm.examples.echo.EchoServer;
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
 * options ask for (today {@code --echo}; port forwarding adds its own kind of service the same
 * way, see {@link #services}). Runs until interrupted (Ctrl-C: a shutdown hook closes the
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

    @Option(names = "--echo", paramLabel = "VMADDR", converter = Converters.VmAddressConverter.class,
            description = "Run an echo server on this virtual address, e.g. [::99]:11139 (repeatable).")
    List<VmAddress> echo = new ArrayList<>();

    /** How long a shutdown waits for tunnels to drain before closing the transport anyway. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final AtomicInteger tunnelIds = new AtomicInteger();

    @Override
    public Integer call() throws InterruptedException {
        List<VmServer> services = services();
        String name = transport.nameOr(Transports.defaultName());
        TunnelOptions options = token.tunnelOptions();
        EventLog log = new EventLog(spec.commandLine().getOut());

        Transport t = transport.create(name);
        AtomicReference<TransportServer> bound = new AtomicReference<>();
        Thread hook = new Thread(() -> shutdown(bound.get(), t, log), "p2pvm-serve-shutdown");
        try {
            TransportServer server = Await.get(t.bind(bind, options, tunnel -> onTunnel(tunnel, services, log)),
                    Duration.ofSeconds(30), "cannot listen on " + bind);
            bound.set(server);
            log.log("listening on " + server.uri() + " (" + name + "), serving " + describe(services));
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
    private List<VmServer> services() {
        List<VmServer> services = new ArrayList<>();
        if (!echo.isEmpty()) {
            services.add(new EchoServer(echo).vmServer());
        }
        if (services.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                    "nothing to serve: give at least one --echo VMADDR, e.g. --echo [::99]:11139");
        }
        return services;
    }

    /** Runs on the new tunnel's executor, before any frame after the handshake. */
    private void onTunnel(Tunnel tunnel, List<VmServer> services, EventLog log) {
        int id = tunnelIds.incrementAndGet();
        Object peer = tunnel.carrierRemoteAddress();
        log.log("tunnel " + id + " opened from " + peer);
        for (VmServer s : services) {
            tunnel.install(s).whenComplete((v, failure) -> {
                if (failure != null) {
                    log.log("tunnel " + id + ": cannot install " + s + ": " + Failures.describe(failure));
                }
            });
        }
        tunnel.closeFuture().thenAccept(reason -> log.log("tunnel " + id + " from " + peer + " closed: " + reason));
    }

    private static String describe(List<VmServer> services) {
        List<String> parts = new ArrayList<>();
        for (VmServer s : services) {
            parts.add(s.name() + " on " + String.join(", ", s.addresses().stream().map(VmAddress::toString).toList()));
        }
        return String.join("; ", parts);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // The JVM is already shutting down, or the hook was never added.
        }
    }
}
