package org.p2pvm.examples.cli;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelStats;
import org.p2pvm.examples.forward.LiveTunnels;

/**
 * The per-tunnel metrics, read from {@link TunnelStats} at scrape time (a Prometheus
 * {@link MultiCollector}). The tunnels keep the counters themselves, so the collector only copies
 * them: nothing is counted twice, and a closing or closed tunnel's series are gone from the next scrape
 * (registered counters would keep them until removed by hand). Series carry the registry's tunnel
 * number ({@code tunnel}) and the carrier's peer address ({@code peer}); counters of both directions
 * carry {@code direction="sent"|"received"}, errors also {@code code} (an {@link ErrorCode} name).
 */
final class TunnelCollector implements MultiCollector {
    private final LiveTunnels tunnels;

    TunnelCollector(LiveTunnels tunnels) {
        this.tunnels = tunnels;
    }

    @Override
    public MetricSnapshots collect() {
        // Only open tunnels, like LiveTunnels.size(): a closing tunnel leaves the registry a little later.
        List<Sample> samples = tunnels.snapshot().stream().filter(n -> n.tunnel().isOpen())
                .map(n -> new Sample(Labels.of("tunnel", Integer.toString(n.id()),
                        "peer", String.valueOf(n.tunnel().carrierRemoteAddress())), n.tunnel().stats()))
                .toList();
        GaugeSnapshot open = GaugeSnapshot.builder().name("p2pvm_tunnels_open").help("Tunnels open now.")
                .dataPoint(GaugeDataPointSnapshot.builder().value(samples.size()).build()).build();
        return MetricSnapshots.of(open,
                gauge(samples, "p2pvm_tunnel_streams_open", "Virtual connections open in the tunnel.",
                        TunnelStats::activeStreams),
                counter(samples, "p2pvm_tunnel_bytes", "Carrier bytes, headers included.",
                        TunnelStats::bytesSent, TunnelStats::bytesReceived),
                counter(samples, "p2pvm_tunnel_payload_bytes", "DATA payload bytes.",
                        TunnelStats::payloadBytesSent, TunnelStats::payloadBytesReceived),
                counter(samples, "p2pvm_tunnel_frames", "Frames.", TunnelStats::framesSent,
                        TunnelStats::framesReceived),
                counter(samples, "p2pvm_tunnel_window_stalls", "Times a stream had data but no credit.",
                        TunnelStats::windowStalls),
                gauge(samples, "p2pvm_tunnel_rtt_seconds", "Smoothed PING round trip time (0 before the first).",
                        s -> s.rtt().toNanos() / 1e9),
                errors(samples));
    }

    private record Sample(Labels labels, TunnelStats stats) {
    }

    private static GaugeSnapshot gauge(List<Sample> samples, String name, String help,
            ToDoubleFunction<TunnelStats> value) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (Sample s : samples) {
            b.dataPoint(GaugeDataPointSnapshot.builder().labels(s.labels).value(value.applyAsDouble(s.stats)).build());
        }
        return b.build();
    }

    /** A counter without direction; the text format appends {@code _total} to {@code name}. */
    private static CounterSnapshot counter(List<Sample> samples, String name, String help,
            ToLongFunction<TunnelStats> value) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (Sample s : samples) {
            b.dataPoint(CounterDataPointSnapshot.builder().labels(s.labels).value(value.applyAsLong(s.stats)).build());
        }
        return b.build();
    }

    private static CounterSnapshot counter(List<Sample> samples, String name, String help,
            ToLongFunction<TunnelStats> sent, ToLongFunction<TunnelStats> received) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (Sample s : samples) {
            b.dataPoint(point(s.labels.add("direction", "sent"), sent.applyAsLong(s.stats)));
            b.dataPoint(point(s.labels.add("direction", "received"), received.applyAsLong(s.stats)));
        }
        return b.build();
    }

    private static CounterSnapshot errors(List<Sample> samples) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name("p2pvm_tunnel_errors")
                .help("RESET and GOAWAY codes, by direction and code.");
        for (Sample s : samples) {
            errors(b, s.labels.add("direction", "sent"), s.stats.errorsSent());
            errors(b, s.labels.add("direction", "received"), s.stats.errorsReceived());
        }
        return b.build();
    }

    private static void errors(CounterSnapshot.Builder b, Labels labels, Map<ErrorCode, Long> byCode) {
        byCode.forEach((code, n) -> b.dataPoint(point(labels.add("code", code.name()), n)));
    }

    private static CounterDataPointSnapshot point(Labels labels, long value) {
        return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
