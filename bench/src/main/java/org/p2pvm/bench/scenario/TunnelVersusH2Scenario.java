package org.p2pvm.bench.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.p2pvm.TunnelOptions;
import org.p2pvm.bench.Row;
import org.p2pvm.bench.baseline.H2Baseline;
import org.p2pvm.bench.link.TunnelLink;

/**
 * A scenario measured as a rate on a default tunnel against the same workload on Netty HTTP/2, per
 * transport, interleaved round by round in the same process (medians of {@code rounds}); the target
 * is ≥ 2 × h2. Subclasses give the workload.
 */
abstract class TunnelVersusH2Scenario implements Scenario {

    /** The rate over the tunnel, after {@code warm}, measured over {@code measure}. */
    abstract double onTunnel(TunnelLink link, Context ctx, Duration warm, Duration measure) throws Exception;

    /** The same workload's rate over HTTP/2. */
    abstract double onH2(H2Baseline h2, Context ctx, Duration warm, Duration measure) throws Exception;

    /** The row's parameter column, e.g. "1000 streams, 64 B". */
    abstract String parameters(Context ctx);

    /** The unit of the rate, e.g. "msg/s". */
    abstract String unit();

    @Override
    public final void run(Context ctx) throws Exception {
        Duration m = ctx.config.measure();
        Duration warm = m.dividedBy(3);
        for (String t : ctx.transports) {
            // tunnel and h2 alternate round by round, so a change in machine load hits both; medians
            List<Double> tun = new ArrayList<>();
            List<Double> h2 = new ArrayList<>();
            for (int round = 0; round < ctx.config.rounds(); round++) {
                ctx.progress.phase(id() + " " + t + " tunnel, round " + (round + 1));
                try (TunnelLink link = TunnelLink.open(t, TunnelOptions.defaults(), 0)) {
                    tun.add(onTunnel(link, ctx, warm, m));
                }
                ctx.progress.phase(id() + " " + t + " h2, round " + (round + 1));
                try (H2Baseline h = new H2Baseline()) {
                    h2.add(onH2(h, ctx, warm, m));
                }
            }
            String p = parameters(ctx);
            double h2Median = Context.median(h2);
            ctx.add(Row.of(id(), t, "tunnel", p, unit(), Context.median(tun)).against(h2Median, 2.0, "≥ 2 × h2"));
            ctx.add(Row.of(id(), t, "h2", p, unit(), h2Median));
        }
    }
}
