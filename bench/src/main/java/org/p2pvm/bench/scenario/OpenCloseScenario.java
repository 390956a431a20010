package org.p2pvm.bench.scenario;

import java.time.Duration;
import org.p2pvm.bench.baseline.H2Baseline;
import org.p2pvm.bench.link.TunnelLink;
import org.p2pvm.bench.link.TunnelWorkloads;

/** Open + first byte + close (both FINs): streams/s with a fixed number in flight, target ≥ 2 × h2. */
final class OpenCloseScenario extends TunnelVersusH2Scenario {
    @Override
    public String id() {
        return "open-close";
    }

    @Override
    public String description() {
        return "open + first byte + close, streams/s vs h2";
    }

    @Override
    double onTunnel(TunnelLink link, Context ctx, Duration warm, Duration measure) throws Exception {
        return TunnelWorkloads.openClose(link, ctx.config.openConcurrency(), warm, measure);
    }

    @Override
    double onH2(H2Baseline h2, Context ctx, Duration warm, Duration measure) throws Exception {
        return h2.openClose(ctx.config.openConcurrency(), warm, measure);
    }

    @Override
    String parameters(Context ctx) {
        return ctx.config.openConcurrency() + " in flight";
    }

    @Override
    String unit() {
        return "streams/s";
    }
}
