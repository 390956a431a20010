package org.p2pvm.bench.scenario;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.bench.Row;
import org.p2pvm.bench.link.Pump;
import org.p2pvm.bench.link.TunnelLink;
import org.p2pvm.bench.link.TunnelWorkloads;

/**
 * Fairness: one endless bulk stream plus sequential 64 B pings on another stream of the same
 * tunnel; ping p50/p99/p999 (HdrHistogram) and the bulk's MB/s, for maxFragmentSize 200 (the seed's
 * default) / 1536 / 16384 and maxBatchBytes 64 KiB / 2 MiB. Target: p99 ≤ 2 ms at the defaults
 * (16384, 2 MiB). Runs on the first transport only.
 */
final class FairnessScenario implements Scenario {
    static final int[] FRAGMENTS = {200, 1536, 16384};
    static final int[] BATCHES = {64 * 1024, 2 * 1024 * 1024};

    @Override
    public String id() {
        return "fairness";
    }

    @Override
    public String description() {
        return "1 bulk stream + 64 B pings: ping p50/p99/p999 per maxFragmentSize and maxBatchBytes";
    }

    @Override
    public void run(Context ctx) throws Exception {
        String t = ctx.transports.get(0);
        for (int batch : BATCHES) {
            for (int frag : FRAGMENTS) {
                ctx.progress.phase(id() + " " + t + " frag=" + frag + " batch=" + (batch >> 10) + "K");
                TunnelOptions o = TunnelOptions.builder().maxFragmentSize(frag).maxBatchBytes(batch).build();
                Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                double mbps;
                try (TunnelLink link = TunnelLink.open(t, o, 0)) {
                    Pump bulk = Pump.toSink(link, Long.MAX_VALUE);
                    TimeUnit.MILLISECONDS.sleep(ctx.config.measure().toMillis() / 3); // let the bulk fill the windows
                    long b0 = link.servers().sunkBytes();
                    long t0 = System.nanoTime();
                    TunnelWorkloads.PingPong ping = TunnelWorkloads.pinger(link, h);
                    ping.send();
                    TimeUnit.NANOSECONDS.sleep(ctx.config.measure().toNanos());
                    ping.stop();
                    mbps = Context.mbps(link.servers().sunkBytes() - b0, (System.nanoTime() - t0) / 1e9);
                    bulk.connection().reset(ErrorCode.CANCELLED);
                }
                boolean defaults = frag == 16384 && batch == 2 * 1024 * 1024;
                String p = "frag=" + frag + " batch=" + (batch >> 10) + "K" + (defaults ? " (defaults)" : "")
                        + (frag == 200 ? " (seed)" : "");
                Row r;
                synchronized (h) {
                    r = Row.of(id(), t, "tunnel", p, "ping p99 ms", h.getValueAtPercentile(99) / 1e6)
                            .with("p50_ms", h.getValueAtPercentile(50) / 1e6)
                            .with("p999_ms", h.getValueAtPercentile(99.9) / 1e6)
                            .with("pings", h.getTotalCount())
                            .with("bulk_MBps", mbps);
                }
                ctx.add(defaults ? r.target(2.0, true, "p99 ≤ 2 ms at the defaults") : r);
            }
        }
    }
}
