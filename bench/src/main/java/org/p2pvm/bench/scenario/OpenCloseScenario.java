package org.p2pvm.bench.scenario;

import java.time.Duration;
import org.p2pvm.TunnelOptions;
import org.p2pvm.bench.Row;
import org.p2pvm.bench.baseline.H2Baseline;
import org.p2pvm.bench.link.TunnelLink;
import org.p2pvm.bench.link.TunnelWorkloads;

/** Open + first byte + close (both FINs): streams/s with a fixed number in flight, target ≥ 2 × h2. */
final class OpenCloseScenario implements Scenario {
    @Override
    public String id() {
        return "open-close";
    }

    @Override
    public String description() {
        return "open + first byte + close, streams/s vs h2";
    }

    @Override
    public void run(Context ctx) throws Exception {
        int conc = ctx.config.openConcurrency();
        Duration m = ctx.config.measure();
        Duration warm = m.dividedBy(3);
        for (String t : ctx.transports) {
            double tun;
            double h2;
            ctx.progress.phase(id() + " " + t + " tunnel");
            try (TunnelLink link = TunnelLink.open(t, TunnelOptions.defaults(), 0)) {
                tun = TunnelWorkloads.openClose(link, conc, warm, m);
            }
            ctx.progress.phase(id() + " " + t + " h2");
            try (H2Baseline h = new H2Baseline()) {
                h2 = h.openClose(conc, warm, m);
            }
            String p = conc + " in flight";
            ctx.add(Row.of(id(), t, "tunnel", p, "streams/s", tun).against(h2, 2.0, "≥ 2 × h2"));
            ctx.add(Row.of(id(), t, "h2", p, "streams/s", h2));
        }
    }
}
