package org.p2pvm.bench.scenario;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.bench.Row;
import org.p2pvm.bench.link.Pump;
import org.p2pvm.bench.link.TunnelLink;
import org.p2pvm.bench.link.TunnelWorkloads;
import org.p2pvm.spi.TransportConfig;

/**
 * Fairness: one endless bulk stream plus sequential 64 B pings on another stream of the same
 * tunnel; ping p50/p99/p999 (HdrHistogram) and the bulk's MB/s, for maxFragmentSize 200 (the seed's
 * default) / 1536 / 16384 and maxBatchBytes 64 KiB / 2 MiB. Target: p99 ≤ 2 ms at the defaults
 * (16384, 2 MiB). Runs on the first transport only.
 */
final class FairnessScenario implements Scenario {
    static final int[] FRAGMENTS = {200, 1536, 16384};
    static final int[] BATCHES = {64 * 1024, 2 * 1024 * 1024};

    /** The same pings without the bulk stream: what this machine's scheduling alone costs. */
    private void floor(Context ctx, String t) throws Exception {
        ctx.progress.phase(id() + " " + t + " no bulk (floor)");
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        try (TunnelLink link = TunnelLink.open(t, TunnelOptions.defaults(), 0)) {
            TunnelWorkloads.PingPong ping = TunnelWorkloads.pinger(link, h);
            ping.send();
            TimeUnit.NANOSECONDS.sleep(ctx.config.measure().toNanos());
            ping.stop();
        }
        synchronized (h) {
            ctx.add(Row.of(id(), t, "tunnel", "no bulk stream (floor), defaults", "ping p99 ms",
                    h.getValueAtPercentile(99) / 1e6).with("p50_ms", h.getValueAtPercentile(50) / 1e6)
                    .with("p999_ms", h.getValueAtPercentile(99.9) / 1e6).with("pings", h.getTotalCount()));
        }
    }

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
        floor(ctx, t);
        for (int batch : BATCHES) {
            for (int frag : FRAGMENTS) {
                TunnelOptions o = TunnelOptions.builder().maxFragmentSize(frag).maxBatchBytes(batch).build();
                boolean defaults = frag == 16384 && batch == 2 * 1024 * 1024;
                String p = "frag=" + frag + " batch=" + (batch >> 10) + "K" + (defaults ? " (defaults)" : "")
                        + (frag == 200 ? " (seed)" : "");
                Row r = measure(ctx, t, o, TransportConfig.defaults(), p);
                ctx.add(defaults ? r.target(2.0, true, "p99 ≤ 2 ms at the defaults") : r);
            }
        }
        // where the queueing is: the bulk stream's grown window sits in kernel socket buffers
        TunnelOptions noGrowth = TunnelOptions.builder().maxStreamWindow(TunnelOptions.defaults().initialStreamWindow())
                .build();
        ctx.add(measure(ctx, t, noGrowth, TransportConfig.defaults(), "defaults, no window growth"));
        if (t.equals("nio")) {
            TransportConfig small = TransportConfig.builder().property("nio.sendBufferSize", "131072")
                    .property("nio.receiveBufferSize", "131072").build();
            ctx.add(measure(ctx, t, TunnelOptions.defaults(), small, "defaults, SO_SNDBUF/SO_RCVBUF 128 KiB"));
            ctx.add(measure(ctx, t, noGrowth, small, "no window growth, SO_SNDBUF/SO_RCVBUF 128 KiB"));
        }
    }

    private Row measure(Context ctx, String t, TunnelOptions o, TransportConfig config, String p) throws Exception {
        ctx.progress.phase(id() + " " + t + " " + p);
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        double mbps;
        try (TunnelLink link = TunnelLink.open(t, o, 0, config)) {
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
        Row r;
        synchronized (h) {
            r = Row.of(id(), t, "tunnel", p, "ping p99 ms", h.getValueAtPercentile(99) / 1e6)
                    .with("p50_ms", h.getValueAtPercentile(50) / 1e6)
                    .with("p999_ms", h.getValueAtPercentile(99.9) / 1e6)
                    .with("pings", h.getTotalCount())
                    .with("bulk_MBps", mbps);
        }
        return r;
    }
}
