package org.p2pvm.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.p2pvm.TunnelOptions;
import org.p2pvm.bench.Row;
import org.p2pvm.bench.baseline.RawBaseline;
import org.p2pvm.bench.link.DelayProxy;
import org.p2pvm.bench.link.Pump;
import org.p2pvm.bench.link.TunnelLink;
import org.p2pvm.bench.link.TunnelWorkloads;

/**
 * Long fat link (issue 11): one stream through a {@link DelayProxy} at each RTT, tunnel vs raw TCP
 * through the same kind of proxy, same run; target ≥ 0.8 × raw at every RTT. The proxy holds up to
 * 64 MiB per direction, so raw TCP (acknowledged by the proxy) sees a link of 64 MiB ÷ one-way delay,
 * while the tunnel's credit must cross the delayed link end to end: exactly what window growth is for.
 */
final class FatLinkScenario implements Scenario {
    /** The defaults before §6 growth was judged on credit cycles: 16 MiB streams, 64 MiB tunnel. */
    static final TunnelOptions OLD_WINDOWS = TunnelOptions.builder().maxStreamWindow(16 << 20)
            .maxTunnelWindow(64 << 20).build();

    /** Windows sized for a 100 ms link at about 1 GB/s: what the defaults would need to match raw. */
    static final TunnelOptions WIDE_WINDOWS = TunnelOptions.builder().maxStreamWindow(256 << 20)
            .maxTunnelWindow(512 << 20).build();

    /** Whether to also run {@link #WIDE_WINDOWS} (system property {@code p2pvm.bench.fatLink.wide}). */
    private static final boolean WIDE = Boolean.getBoolean("p2pvm.bench.fatLink.wide");

    @Override
    public String id() {
        return "fat-link";
    }

    @Override
    public String description() {
        return "one stream over a delayed link, RTT 10/50/100 ms, MB/s vs raw TCP through the same proxy";
    }

    @Override
    public void run(Context ctx) throws Exception {
        long bytes = ctx.config.fatBytes();
        for (String t : ctx.transports) {
            try (RawBaseline raw = RawBaseline.forTransport(t)) {
                for (int rtt : ctx.config.rttsMillis()) {
                    List<Double> tun = new ArrayList<>();
                    List<Double> tunHalf = new ArrayList<>();
                    List<Double> old = new ArrayList<>();
                    List<Double> wide = new ArrayList<>();
                    List<Double> rw = new ArrayList<>();
                    int rounds = Math.min(2, ctx.config.rounds());
                    for (int round = 0; round < rounds; round++) {
                        ctx.progress.phase(id() + " " + t + " RTT " + rtt + " ms tunnel");
                        try (TunnelLink link = TunnelLink.open(t, TunnelOptions.defaults(), rtt / 2)) {
                            long t0 = System.nanoTime();
                            Pump pump = Pump.toSink(link, bytes);
                            pump.done().get(10, TimeUnit.MINUTES);
                            long end = System.nanoTime();
                            tun.add(Context.mbps(bytes, (end - t0) / 1e9));
                            tunHalf.add(Context.mbps(bytes / 2, (end - pump.secondHalfStartNanos()) / 1e9));
                        }
                        if (rtt >= 50) {
                            ctx.progress.phase(id() + " " + t + " RTT " + rtt + " ms tunnel, 16 MiB windows");
                            try (TunnelLink link = TunnelLink.open(t, OLD_WINDOWS, rtt / 2)) {
                                old.add(Context.mbps(bytes, TunnelWorkloads.bulk(link, 1, bytes)));
                            }
                        }
                        if (WIDE && rtt >= 50) {
                            ctx.progress.phase(id() + " " + t + " RTT " + rtt + " ms tunnel, 256 MiB windows");
                            try (TunnelLink link = TunnelLink.open(t, WIDE_WINDOWS, rtt / 2)) {
                                wide.add(Context.mbps(bytes, TunnelWorkloads.bulk(link, 1, bytes)));
                            }
                        }
                        ctx.progress.phase(id() + " " + t + " RTT " + rtt + " ms raw (" + raw.library() + ")");
                        try (DelayProxy proxy = new DelayProxy(raw.sinkAddress(), rtt / 2, 64 << 20)) {
                            rw.add(Context.mbps(bytes, raw.send(proxy.address(), bytes)));
                        }
                    }
                    String p = "RTT " + rtt + " ms, " + (bytes >> 20) + " MiB";
                    double rm = Context.median(rw);
                    // one stream can never move more than maxStreamWindow per round trip, however fast the link
                    double ceiling = TunnelOptions.defaults().maxStreamWindow() / (rtt / 1000.0) / 1e6;
                    ctx.add(Row.of(id(), t, "tunnel", p, "MB/s", Context.median(tun)).with("rtt_ms", rtt)
                            .with("second_half_MBps", Context.median(tunHalf))
                            .with("window_ceiling_MBps", ceiling)
                            .against(rm, 0.8, "≥ 0.8 × raw"));
                    if (!old.isEmpty()) {
                        ctx.add(Row.of(id(), t, "tunnel", p + ", maxStreamWindow 16 MiB", "MB/s", Context.median(old))
                                .with("rtt_ms", rtt).against(rm, 0.8, "≥ 0.8 × raw"));
                    }
                    if (!wide.isEmpty()) {
                        ctx.add(Row.of(id(), t, "tunnel", p + ", maxStreamWindow 256 MiB, maxTunnelWindow 512 MiB", "MB/s",
                                Context.median(wide)).with("rtt_ms", rtt).against(rm, 0.8, "≥ 0.8 × raw"));
                    }
                    ctx.add(Row.of(id(), t, "raw", p + " (" + raw.library() + ")", "MB/s", rm).with("rtt_ms", rtt));
                }
            }
        }
    }
}
