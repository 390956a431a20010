package org.p2pvm.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmConnection;
import org.p2pvm.bench.Row;
import org.p2pvm.bench.link.BenchServers;
import org.p2pvm.bench.link.Pump;
import org.p2pvm.bench.link.TunnelLink;
import org.p2pvm.bench.link.TunnelWorkloads;

/**
 * Memory held with many concurrent streams (issue 11): over a delayed link (RTT 50 ms), first 100
 * fast streams let the windows grow, then 100 streams send to readers that consume nothing; once
 * the senders stall, the bytes held by the receiving end (delivered, unconsumed) must not exceed the
 * tunnel window. Runs on the first transport only.
 */
final class HeldMemoryScenario implements Scenario {
    private static final int RTT = 50;

    @Override
    public String id() {
        return "held";
    }

    @Override
    public String description() {
        return "100 streams to non-reading receivers: bytes held vs the tunnel window";
    }

    @Override
    public void run(Context ctx) throws Exception {
        String t = ctx.transports.get(0);
        int streams = ctx.config.heldStreams();
        TunnelOptions o = TunnelOptions.defaults();
        try (TunnelLink link = TunnelLink.open(t, o, RTT / 2)) {
            ctx.progress.phase(id() + " " + t + " warm-up (window growth)");
            TunnelWorkloads.bulk(link, streams, 1 << 20);
            ctx.progress.phase(id() + " " + t + " holding");
            List<CompletableFuture<Void>> pumps = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                VmConnection c = link.client().open(BenchServers.HOLD, null);
                Pump p = new Pump(c, 8L << 20);
                c.setHandler(p);
                p.start();
                pumps.add(p.done());
            }
            long peak = 0;
            long last = -1;
            int stable = 0;
            for (int i = 0; i < 200 && stable < 5; i++) {
                TimeUnit.MILLISECONDS.sleep(100);
                long h = link.servers().heldBytes();
                peak = Math.max(peak, h);
                stable = h == last ? stable + 1 : 0;
                last = h;
            }
            link.servers().release();
            CompletableFuture.allOf(pumps.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            int window = o.initialTunnelWindow();
            ctx.add(Row.of(id(), t, "tunnel", streams + " streams, RTT " + RTT + " ms", "MiB held", peak / 1048576.0)
                    .with("tunnel_window_MiB", window / 1048576.0)
                    .with("max_tunnel_window_MiB", o.maxTunnelWindow() / 1048576.0)
                    .target(o.maxTunnelWindow() / 1048576.0, true, "≤ tunnel window"));
        }
    }
}
