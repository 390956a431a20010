package org.p2pvm.examples.cli;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelStats;
import org.p2pvm.examples.forward.LiveTunnels;

/**
 * Renders tunnel counters in the Prometheus text exposition format (version 0.0.4). Hand-written:
 * neither Micrometer nor the Prometheus Java client is available to this build, and the format for
 * a handful of gauges and counters is a few lines. One series per tunnel, labelled with the
 * registry's tunnel number and the carrier's peer address.
 */
final class PrometheusText {
    private PrometheusText() {
    }

    static String render(List<LiveTunnels.Numbered> tunnels) {
        StringBuilder b = new StringBuilder(4096);
        header(b, "p2pvm_tunnels_open", "gauge", "Tunnels open now.");
        b.append("p2pvm_tunnels_open ").append(tunnels.size()).append('\n');
        List<Sample> samples = tunnels.stream().map(n -> new Sample(labels(n), n.tunnel().stats())).toList();
        gauge(b, samples, "p2pvm_tunnel_streams_open", "Virtual connections open in the tunnel.",
                s -> (double) s.activeStreams());
        counter2(b, samples, "p2pvm_tunnel_bytes_total", "Carrier bytes, headers included.",
                TunnelStats::bytesSent, TunnelStats::bytesReceived);
        counter2(b, samples, "p2pvm_tunnel_payload_bytes_total", "DATA payload bytes.",
                TunnelStats::payloadBytesSent, TunnelStats::payloadBytesReceived);
        counter2(b, samples, "p2pvm_tunnel_frames_total", "Frames.", TunnelStats::framesSent,
                TunnelStats::framesReceived);
        gauge(b, samples, "p2pvm_tunnel_window_stalls_total", "Times a stream had data but no credit.",
                s -> (double) s.windowStalls());
        gauge(b, samples, "p2pvm_tunnel_rtt_seconds", "Smoothed PING round trip time (0 before the first).",
                s -> s.rtt().toNanos() / 1e9);
        header(b, "p2pvm_tunnel_errors_total", "counter", "RESET and GOAWAY codes, by direction and code.");
        for (Sample s : samples) {
            errors(b, s.labels, "sent", s.stats.errorsSent());
            errors(b, s.labels, "received", s.stats.errorsReceived());
        }
        return b.toString();
    }

    private record Sample(String labels, TunnelStats stats) {
    }

    private static String labels(LiveTunnels.Numbered n) {
        return "tunnel=\"" + n.id() + "\",peer=\"" + escape(String.valueOf(n.tunnel().carrierRemoteAddress())) + "\"";
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static void header(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder b, List<Sample> samples, String name, String help,
            java.util.function.ToDoubleFunction<TunnelStats> value) {
        header(b, name, name.endsWith("_total") ? "counter" : "gauge", help);
        for (Sample s : samples) {
            b.append(name).append('{').append(s.labels).append("} ").append(number(value.applyAsDouble(s.stats)))
                    .append('\n');
        }
    }

    private static void counter2(StringBuilder b, List<Sample> samples, String name, String help,
            java.util.function.ToLongFunction<TunnelStats> sent, java.util.function.ToLongFunction<TunnelStats> received) {
        header(b, name, "counter", help);
        for (Sample s : samples) {
            b.append(name).append('{').append(s.labels).append(",direction=\"sent\"} ").append(sent.applyAsLong(s.stats))
                    .append('\n');
            b.append(name).append('{').append(s.labels).append(",direction=\"received\"} ")
                    .append(received.applyAsLong(s.stats)).append('\n');
        }
    }

    private static void errors(StringBuilder b, String labels, String direction, Map<ErrorCode, Long> byCode) {
        byCode.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> b.append("p2pvm_tunnel_errors_total{")
                .append(labels).append(",direction=\"").append(direction).append("\",code=\"").append(e.getKey().name())
                .append("\"} ").append(e.getValue()).append('\n'));
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : String.format(Locale.ROOT, "%.9g", d);
    }
}
