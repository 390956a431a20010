package org.p2pvm.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.p2pvm.bench.scenario.Context;
import org.p2pvm.bench.scenario.Scenario;
import org.p2pvm.spi.Transports;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code p2pvm bench}: runs the named scenarios of issues 9 and 11 over the chosen transports, with
 * the raw-TCP and HTTP/2 baselines interleaved in the same process, prints a live progress line and
 * the result table, and writes {@code results.json}, {@code results.md} and PNG charts into
 * {@code --out}. Runs on the calling thread; returns 0 when every scenario ran (targets missed are
 * results, not errors), 1 when one failed, 2 for bad arguments.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks tunnels against raw TCP and HTTP/2 (issues 9, 11).")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--quick", description = "Small sizes: the whole run takes under two minutes.")
    boolean quick;

    @Option(names = "--transport", split = ",", paramLabel = "NAME",
            description = "Transports to run (default: every TCP transport found; memory if none).")
    List<String> transports;

    @Option(names = "--scenario", split = ",", paramLabel = "ID",
            description = "Scenarios to run (default all): bulk-1, bulk-many, rr, open-close, fairness, fat-link, "
                    + "held, idle.")
    List<String> scenarios;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default target/bench).")
    Path out = Path.of("target", "bench");

    @Option(names = "--scale", hidden = true, description = "Multiplies every size and duration (smoke tests).")
    double scale = 1.0;

    @Option(names = "--idle-streams", paramLabel = "N", description = "Override the idle-streams count.")
    Integer idleStreams;

    @Option(names = "--rtt", split = ",", paramLabel = "MS", description = "Override the long-fat-link RTTs.")
    List<Integer> rtts;

    @Option(names = "--rounds", paramLabel = "N", description = "Override the interleaved rounds of bulk runs.")
    Integer rounds;

    private final PrintStream stdout;

    /** A command printing to {@code System.out}. */
    public BenchCommand() {
        this(System.out);
    }

    /** A command printing to {@code stdout}. */
    public BenchCommand(PrintStream stdout) {
        this.stdout = stdout;
    }

    /** Runs the command on its own: {@code java -cp ... org.p2pvm.bench.BenchCommand --quick}. */
    public static void main(String[] args) {
        int code = new CommandLine(new BenchCommand()).execute(args);
        System.exit(code);
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Scenario> all = Scenario.all();
        List<String> ids = scenarios == null ? new ArrayList<>(all.keySet()) : scenarios;
        for (String id : ids) {
            if (!all.containsKey(id)) {
                stdout.println("unknown scenario '" + id + "'; known: " + all.keySet());
                return 2;
            }
        }
        List<String> ts = resolveTransports();
        if (ts.isEmpty()) {
            return 2;
        }
        BenchConfig cfg = config();
        Progress progress = new Progress(stdout, System.console() != null);
        Context ctx = new Context(cfg, ts, progress);
        stdout.println("p2pvm bench " + (quick ? "--quick " : "") + "transports " + ts + ", scenarios " + ids);
        warmUp(all, ids, ts, progress);
        int failures = 0;
        for (String id : ids) {
            try {
                all.get(id).run(ctx);
            } catch (Exception | OutOfMemoryError e) {
                failures++;
                progress.done();
                stdout.println("scenario " + id + " failed: " + e);
                StackTraceElement[] st = e.getStackTrace();
                for (int i = 0; i < Math.min(8, st.length); i++) {
                    stdout.println("    at " + st[i]);
                }
                if (e.getCause() != null) {
                    stdout.println("  caused by " + e.getCause());
                }
            }
        }
        progress.done();
        Map<String, String> machine = machine(cfg, ts);
        Report.write(out, ctx.rows(), machine);
        List<Path> charts = Charts.write(out, ctx.rows());
        stdout.println();
        stdout.print(Report.markdown(ctx.rows()));
        stdout.println();
        stdout.println("wrote " + out.resolve("results.json") + ", " + out.resolve("results.md") + ", " + charts);
        return failures == 0 ? 0 : 1;
    }

    /**
     * Runs a small version of the message and bulk scenarios once and throws the rows away, so that
     * neither the tunnel nor the h2 baseline is measured while the JIT is still compiling it.
     */
    private void warmUp(Map<String, Scenario> all, List<String> ids, List<String> ts, Progress progress) {
        Context warm = new Context(BenchConfig.quick().scaled(Math.min(0.1, scale)), ts.subList(0, 1), progress);
        for (String id : List.of("bulk-1", "rr", "open-close")) {
            if (ids.contains(id)) {
                try {
                    all.get(id).run(warm);
                } catch (Exception e) {
                    stdout.println("warm-up " + id + " failed: " + e);
                }
            }
        }
        progress.phase("warm-up done");
    }

    private List<String> resolveTransports() {
        List<String> found = new ArrayList<>(Transports.names());
        if (transports == null) {
            List<String> tcp = new ArrayList<>();
            for (String n : List.of("nio", "netty", "grizzly", "websocket")) {
                if (found.contains(n)) {
                    tcp.add(n);
                } else {
                    stdout.println("transport " + n + " not present: skipped");
                }
            }
            for (String n : found) {
                if (!tcp.contains(n) && !n.equals("memory")) {
                    tcp.add(n);
                }
            }
            if (tcp.isEmpty()) {
                stdout.println("no TCP transport found: running over memory");
                tcp.add("memory");
            }
            return tcp;
        }
        List<String> ok = new ArrayList<>();
        for (String t : transports) {
            if (found.contains(t)) {
                ok.add(t);
            } else {
                stdout.println("transport " + t + " not present (found " + found + "): skipped");
            }
        }
        return ok;
    }

    private BenchConfig config() {
        BenchConfig c = (quick ? BenchConfig.quick() : BenchConfig.full()).scaled(scale);
        if (idleStreams != null || rtts != null || rounds != null) {
            c = new BenchConfig(c.bulkBytes(), c.manyStreams(), c.manyBytesPerStream(), c.rrStreams(), c.measure(),
                    c.openConcurrency(), idleStreams != null ? idleStreams : c.idleStreams(), c.fatBytes(),
                    rtts != null ? rtts : c.rttsMillis(), c.heldStreams(), rounds != null ? rounds : c.rounds());
        }
        return c;
    }

    private Map<String, String> machine(BenchConfig cfg, List<String> ts) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("nproc", String.valueOf(Runtime.getRuntime().availableProcessors()));
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        m.put("max_heap_MiB", String.valueOf(Runtime.getRuntime().maxMemory() >> 20));
        m.put("transports", String.join(",", ts));
        m.put("config", cfg.toString());
        return m;
    }
}
