package org.p2pvm.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import org.p2pvm.TunnelOptions;
import org.p2pvm.bench.Row;
import org.p2pvm.bench.baseline.H2Baseline;
import org.p2pvm.bench.baseline.RawBaseline;
import org.p2pvm.bench.link.TunnelLink;
import org.p2pvm.bench.link.TunnelWorkloads;

/**
 * Bulk throughput: one stream (target ≥ 0.90 × raw) or many streams in aggregate (≥ 0.85 × raw),
 * tunnel vs raw (the same total bytes over one plain TCP connection) vs h2 (the same streams as
 * HTTP/2 streams), interleaved round by round after one untimed round of a quarter of the size each;
 * the median of the rounds is reported.
 */
final class BulkScenario implements Scenario {
    private final boolean many;

    BulkScenario(boolean many) {
        this.many = many;
    }

    @Override
    public String id() {
        return many ? "bulk-many" : "bulk-1";
    }

    @Override
    public String description() {
        return many ? "bulk, many streams, aggregate MB/s vs raw and h2" : "bulk, 1 stream, MB/s vs raw and h2";
    }

    @Override
    public void run(Context ctx) throws Exception {
        int streams = many ? ctx.config.manyStreams() : 1;
        long per = many ? ctx.config.manyBytesPerStream() : ctx.config.bulkBytes();
        long total = streams * per;
        String params = streams + " stream" + (streams > 1 ? "s" : "") + ", " + (total >> 20) + " MiB";
        for (String t : ctx.transports) {
            List<Double> tun = new ArrayList<>();
            List<Double> raw = new ArrayList<>();
            List<Double> h2 = new ArrayList<>();
            try (TunnelLink link = TunnelLink.open(t, TunnelOptions.defaults(), 0);
                    RawBaseline r = RawBaseline.forTransport(t);
                    H2Baseline h = new H2Baseline()) {
                // untimed: the JIT still compiles the tunnel's and the baselines' paths for seconds
                // after the global warm-up (C2 threads measured at ≈ 0.8 s CPU per 3 GiB without it)
                ctx.progress.phase(id() + " " + t + " warm-up");
                TunnelWorkloads.bulk(link, streams, Math.max(1, per / 4));
                r.send(r.sinkAddress(), Math.max(1, total / 4));
                h.bulk(streams, Math.max(1, per / 4));
                for (int round = 0; round < ctx.config.rounds(); round++) {
                    ctx.progress.phase(id() + " " + t + " tunnel, round " + (round + 1));
                    tun.add(Context.mbps(total, TunnelWorkloads.bulk(link, streams, per)));
                    ctx.progress.phase(id() + " " + t + " raw (" + r.library() + ")");
                    raw.add(Context.mbps(total, r.send(r.sinkAddress(), total)));
                    ctx.progress.phase(id() + " " + t + " h2");
                    h2.add(Context.mbps(total, h.bulk(streams, per)));
                }
                var stats = link.client().stats();
                var peer = link.accepted().stats(); // the receiver: its batches are WINDOW updates
                double tm = Context.median(tun);
                double rm = Context.median(raw);
                double hm = Context.median(h2);
                double min = many ? 0.85 : 0.90;
                ctx.add(Row.of(id(), t, "tunnel", params, "MB/s", tm).with("vs_h2", tm / hm)
                        .with("window_stalls", stats.windowStalls())
                        .with("KiB_per_batch", stats.bytesSent() / 1024.0 / Math.max(1, stats.batchesWritten()))
                        .with("peer_batches_per_MiB", peer.batchesWritten() / Math.max(1.0, peer.payloadBytesReceived() / 1048576.0))
                        .against(rm, min, "≥ " + min + " × raw"));
                ctx.add(Row.of(id(), t, "raw", params + " (" + r.library() + ", 1 conn)", "MB/s", rm));
                ctx.add(Row.of(id(), t, "h2", params, "MB/s", hm));
            }
        }
    }
}
