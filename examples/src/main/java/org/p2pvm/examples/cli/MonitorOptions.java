package org.p2pvm.examples.cli;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.p2pvm.TunnelStats;
import org.p2pvm.examples.forward.LiveTunnels;
import picocli.CommandLine.Option;

/**
 * {@code --metrics HOST:PORT} (Prometheus text at {@code /metrics}, served by the Prometheus Java
 * client's HTTP server from a {@link TunnelCollector}) and the live status line (tunnels, streams,
 * bytes/s in and out, RTT) that long-running commands show on a terminal and keep quiet elsewhere.
 * A picocli mixin; {@link #start} returns what to close.
 */
final class MonitorOptions {

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = ForwardSpecs.HostPortConverter.class,
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (port 0 picks one).")
    InetSocketAddress metrics;

    /**
     * Starts the metrics endpoint (if asked) and the status line (if standard output is a terminal).
     *
     * @param statusOut standard output: the status line goes where {@link ProgressLine#isTerminal()}
     *     looks, and where the event lines clear it before they print
     */
    AutoCloseable start(LiveTunnels tunnels, EventLog log, PrintWriter statusOut) {
        HTTPServer server = metrics == null ? null : serveMetrics(tunnels, log);
        ProgressLine status = ProgressLine.isTerminal() ? ProgressLine.start(statusOut, true, new Status(tunnels)) : null;
        return () -> {
            if (status != null) {
                status.close();
            }
            if (server != null) {
                server.close();
            }
        };
    }

    private HTTPServer serveMetrics(LiveTunnels tunnels, EventLog log) {
        // A registry of our own, not the library's default one: several commands may run in one JVM (tests).
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new TunnelCollector(tunnels));
        HTTPServer server;
        InetAddress host;
        try {
            host = InetAddress.getByName(metrics.getHostString());
            server = HTTPServer.builder().inetAddress(host).port(metrics.getPort()).registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new CliFailure("cannot serve metrics on " + Forwarding.hostPort(metrics) + ": " + e.getMessage(), e);
        }
        log.log("metrics on http://" + Forwarding.hostPort(new InetSocketAddress(host, server.getPort())) + "/metrics");
        return server;
    }

    /**
     * The status text: rates from the difference to the previous call (one caller: the status
     * thread). The first call's rates are the averages since construction.
     */
    static final class Status implements Supplier<String> {
        private final Supplier<List<TunnelStats>> tunnels;
        private final LongSupplier nanoTime;
        private long lastIn;
        private long lastOut;
        private long lastNanos;

        Status(LiveTunnels tunnels) {
            this(() -> tunnels.snapshot().stream().map(n -> n.tunnel().stats()).toList(), System::nanoTime);
        }

        /** For tests: the open tunnels' stats and the clock come from the caller. */
        Status(Supplier<List<TunnelStats>> tunnels, LongSupplier nanoTime) {
            this.tunnels = tunnels;
            this.nanoTime = nanoTime;
            this.lastNanos = nanoTime.getAsLong();
        }

        @Override
        public String get() {
            List<TunnelStats> open = tunnels.get();
            long in = 0;
            long out = 0;
            long streams = 0;
            double rttMillis = 0;
            for (TunnelStats st : open) {
                in += st.payloadBytesReceived();
                out += st.payloadBytesSent();
                streams += st.activeStreams();
                rttMillis = Math.max(rttMillis, st.rtt().toNanos() / 1e6);
            }
            long now = nanoTime.getAsLong();
            double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
            // Counters of closed tunnels vanish: never show a negative rate.
            double inRate = Math.max(0, in - lastIn) / seconds;
            double outRate = Math.max(0, out - lastOut) / seconds;
            lastIn = in;
            lastOut = out;
            lastNanos = now;
            return String.format(Locale.ROOT, "tunnels %d, streams %d, in %s, out %s, rtt %.2f ms",
                    open.size(), streams, Units.rate(inRate), Units.rate(outRate), rttMillis);
        }
    }
}
