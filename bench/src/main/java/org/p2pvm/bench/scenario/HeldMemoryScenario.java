package org.p2pvm.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmConnection;
import org.p2pvm.bench.Row;
import org.p2pvm.bench.link.BenchServers;
import org.p2pvm.bench.link.Pump;
import org.p2pvm.bench.link.TunnelLink;

/**
 * Memory held with many concurrent streams (issue 11): over a delayed link (RTT 50 ms), 100 streams
 * send without end to readers that first consume everything, so both the stream windows and the
 * tunnel window grow (§6); then every reader stops consuming at once. The senders run until their
 * credit is gone, and the bytes the receiving end then holds (delivered, unconsumed) are what it
 * granted. Held bytes above {@code streams × initialStreamWindow} show the stream windows grew, so
 * it is the tunnel window, not the streams' initial windows, that bounds them; the target is that
 * they never exceed {@code maxTunnelWindow}, the most the tunnel window can grow to. Runs on the first
 * transport only.
 */
final class HeldMemoryScenario implements Scenario {
    private static final int RTT = 50;

    @Override
    public String id() {
        return "held";
    }

    @Override
    public String description() {
        return "100 streams whose windows grew, readers stop: bytes held vs the tunnel window";
    }

    @Override
    public void run(Context ctx) throws Exception {
        String t = ctx.transports.get(0);
        int streams = ctx.config.heldStreams();
        TunnelOptions o = TunnelOptions.defaults();
        try (TunnelLink link = TunnelLink.open(t, o, RTT / 2)) {
            ctx.progress.phase(id() + " " + t + " " + streams + " streams flowing (window growth)");
            link.servers().consumeUntilHolding();
            List<Pump> pumps = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                VmConnection c = link.client().open(BenchServers.HOLD, null);
                Pump p = new Pump(c, Long.MAX_VALUE);
                c.setHandler(p);
                p.start();
                pumps.add(p);
            }
            // 3 s at full size (60 round trips): long past the few round trips growth takes (§6)
            TimeUnit.MILLISECONDS.sleep(Math.max(200, ctx.config.measure().toMillis() * 3 / 5));
            ctx.progress.phase(id() + " " + t + " readers stopped, holding");
            link.servers().startHolding();
            long peak = 0;
            long last = -1;
            int stable = 0;
            for (int i = 0; i < 300 && stable < 5; i++) {
                TimeUnit.MILLISECONDS.sleep(100);
                long h = link.servers().heldBytes();
                peak = Math.max(peak, h);
                stable = h == last ? stable + 1 : 0;
                last = h;
            }
            link.servers().release();
            for (Pump p : pumps) {
                p.connection().reset(ErrorCode.CANCELLED);
            }
            double mib = 1048576.0;
            ctx.add(Row.of(id(), t, "tunnel", streams + " streams, RTT " + RTT + " ms", "MiB held", peak / mib)
                    .with("initial_stream_windows_MiB", (double) streams * o.initialStreamWindow() / mib)
                    .with("initial_tunnel_window_MiB", o.initialTunnelWindow() / mib)
                    .with("max_tunnel_window_MiB", o.maxTunnelWindow() / mib)
                    .target(o.maxTunnelWindow() / mib, true, "≤ tunnel window"));
        }
    }
}
