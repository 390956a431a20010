package org.p2pvm.bench.scenario;

import java.time.Duration;
import org.p2pvm.TunnelOptions;
import org.p2pvm.bench.Row;
import org.p2pvm.bench.baseline.H2Baseline;
import org.p2pvm.bench.link.TunnelLink;
import org.p2pvm.bench.link.TunnelWorkloads;

/** Request/response, 64 B, on many concurrent streams: messages/s, target ≥ 2 × h2. */
final class RequestResponseScenario implements Scenario {
    @Override
    public String id() {
        return "rr";
    }

    @Override
    public String description() {
        return "request/response 64 B on many streams, messages/s vs h2";
    }

    @Override
    public void run(Context ctx) throws Exception {
        int streams = ctx.config.rrStreams();
        Duration m = ctx.config.measure();
        Duration warm = m.dividedBy(3);
        for (String t : ctx.transports) {
            double tun;
            double h2;
            ctx.progress.phase(id() + " " + t + " tunnel");
            try (TunnelLink link = TunnelLink.open(t, TunnelOptions.defaults(), 0)) {
                tun = TunnelWorkloads.requestResponse(link, streams, warm, m);
            }
            ctx.progress.phase(id() + " " + t + " h2");
            try (H2Baseline h = new H2Baseline()) {
                h2 = h.requestResponse(streams, warm, m);
            }
            String p = streams + " streams, 64 B";
            ctx.add(Row.of(id(), t, "tunnel", p, "msg/s", tun).against(h2, 2.0, "≥ 2 × h2"));
            ctx.add(Row.of(id(), t, "h2", p, "msg/s", h2));
        }
    }
}
