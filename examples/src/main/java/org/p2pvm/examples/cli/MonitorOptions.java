package org.p2pvm.examples.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.p2pvm.TunnelStats;
import org.p2pvm.examples.forward.LiveTunnels;
import picocli.CommandLine.Option;

/**
 * {@code --metrics HOST:PORT} (Prometheus text over the JDK's HTTP server, path {@code /metrics})
 * and the live status line (tunnels, streams, bytes/s in and out, RTT) that long-running commands
 * show on a terminal and keep quiet elsewhere. A picocli mixin; {@link #start} returns what to close.
 */
final class MonitorOptions {

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = ForwardSpecs.HostPortConverter.class,
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (port 0 picks one).")
    InetSocketAddress metrics;

    /** Starts the metrics endpoint (if asked) and the status line (if on a terminal). */
    AutoCloseable start(LiveTunnels tunnels, EventLog log, PrintWriter statusOut) {
        HttpServer server = null;
        if (metrics != null) {
            InetSocketAddress bind = new InetSocketAddress(metrics.getHostString(), metrics.getPort());
            try {
                server = HttpServer.create(bind, 16);
            } catch (IOException e) {
                throw new CliFailure("cannot serve metrics on " + metrics.getHostString() + ":" + metrics.getPort()
                        + ": " + e.getMessage(), e);
            }
            server.createContext("/metrics", ex -> {
                byte[] body = PrometheusText.render(tunnels.snapshot()).getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            });
            server.start();
            log.log("metrics on http://" + Forwarding.hostPort(server.getAddress()) + "/metrics");
        }
        ProgressLine status = ProgressLine.isTerminal() ? ProgressLine.start(statusOut, true, new Status(tunnels)) : null;
        HttpServer s = server;
        return () -> {
            if (status != null) {
                status.close();
            }
            if (s != null) {
                s.stop(0);
            }
        };
    }

    /** The status text: rates from the difference to the previous call (one caller: the status thread). */
    static final class Status implements java.util.function.Supplier<String> {
        private final LiveTunnels tunnels;
        private long lastIn;
        private long lastOut;
        private long lastNanos = System.nanoTime();

        Status(LiveTunnels tunnels) {
            this.tunnels = tunnels;
        }

        @Override
        public String get() {
            List<LiveTunnels.Numbered> open = tunnels.snapshot();
            long in = 0;
            long out = 0;
            long streams = 0;
            double rttMillis = 0;
            for (LiveTunnels.Numbered n : open) {
                TunnelStats st = n.tunnel().stats();
                in += st.payloadBytesReceived();
                out += st.payloadBytesSent();
                streams += st.activeStreams();
                rttMillis = Math.max(rttMillis, st.rtt().toNanos() / 1e6);
            }
            long now = System.nanoTime();
            double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
            // Counters of closed tunnels vanish: never show a negative rate.
            double inRate = Math.max(0, in - lastIn) / seconds;
            double outRate = Math.max(0, out - lastOut) / seconds;
            lastIn = in;
            lastOut = out;
            lastNanos = now;
            return String.format(java.util.Locale.ROOT, "tunnels %d, streams %d, in %s, out %s, rtt %.2f ms",
                    open.size(), streams, Units.rate(inRate), Units.rate(outRate), rttMillis);
        }
    }
}
