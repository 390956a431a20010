package org.p2pvm.bench.scenario;

import java.time.Duration;
import org.p2pvm.bench.baseline.H2Baseline;
import org.p2pvm.bench.link.TunnelLink;
import org.p2pvm.bench.link.TunnelWorkloads;

/** Request/response, 64 B, on many concurrent streams: messages/s, target ≥ 2 × h2. */
final class RequestResponseScenario extends TunnelVersusH2Scenario {
    @Override
    public String id() {
        return "rr";
    }

    @Override
    public String description() {
        return "request/response 64 B on many streams, messages/s vs h2";
    }

    @Override
    double onTunnel(TunnelLink link, Context ctx, Duration warm, Duration measure) throws Exception {
        return TunnelWorkloads.requestResponse(link, ctx.config.rrStreams(), warm, measure);
    }

    @Override
    double onH2(H2Baseline h2, Context ctx, Duration warm, Duration measure) throws Exception {
        return h2.requestResponse(ctx.config.rrStreams(), warm, measure);
    }

    @Override
    String parameters(Context ctx) {
        return ctx.config.rrStreams() + " streams, 64 B";
    }

    @Override
    String unit() {
        return "msg/s";
    }
}
