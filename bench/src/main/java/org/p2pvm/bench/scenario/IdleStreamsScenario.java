package org.p2pvm.bench.scenario;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmConnection;
import org.p2pvm.bench.Row;
import org.p2pvm.bench.link.BenchServers;
import org.p2pvm.bench.link.TunnelLink;

/**
 * Concurrent idle streams on one tunnel over the memory transport, both ends in this JVM: time to
 * open all (target ≥ 200,000 opens/s) and heap per stream end after GC (target ≤ 1 KiB). The
 * connections stay referenced until measured. Needs a big heap for a million: run with -Xmx8g.
 */
final class IdleStreamsScenario implements Scenario {
    @Override
    public String id() {
        return "idle";
    }

    @Override
    public String description() {
        return "concurrent idle streams over memory: heap per stream end, opens/s";
    }

    @Override
    public void run(Context ctx) throws Exception {
        int n = ctx.config.idleStreams();
        TunnelOptions o = TunnelOptions.builder().maxStreams(Math.max(n + 16L, 1 << 20)).build();
        try (TunnelLink link = TunnelLink.open("memory", o, 0)) {
            long before = usedAfterGc();
            ctx.progress.phase(id() + " memory opening " + n + " streams");
            VmConnection[] conns = new VmConnection[n];
            CountDownLatch all = new CountDownLatch(n);
            AtomicLong failed = new AtomicLong();
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                conns[i] = link.client().open(BenchServers.IDLE, null);
                conns[i].established().whenComplete((c, e) -> {
                    if (e != null) {
                        failed.incrementAndGet();
                    }
                    all.countDown();
                });
                if ((i & 0xFFFF) == 0) {
                    ctx.progress.update(i + " opened");
                }
            }
            if (!all.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("idle streams: not all established in 10 minutes");
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long after = usedAfterGc();
            double perEnd = (after - before) / (2.0 * n);
            String p = n + " streams";
            ctx.add(Row.of(id(), "memory", "tunnel", p, "B per stream end", perEnd)
                    .with("failed", failed.get()).target(1024, true, "≤ 1 KiB per end"));
            ctx.add(Row.of(id(), "memory", "tunnel", p, "opens/s", n / secs)
                    .target(200_000, false, "≥ 200,000 opens/s"));
            if (conns[n - 1] == null) { // keeps the array reachable until here
                throw new IllegalStateException();
            }
        }
    }

    static long usedAfterGc() throws InterruptedException {
        var mem = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(50);
        }
        return mem.getHeapMemoryUsage().getUsed();
    }
}
