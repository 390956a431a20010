package org.p2pvm.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Renders the charts with XChart as PNG: throughput per transport vs raw and h2 (one chart per bulk
 * scenario), ping latency vs fragment size under load, and the long-fat-link MB/s per RTT. A chart
 * whose rows are missing (scenario not run) is skipped. Called once at the end of a run.
 */
public final class Charts {
    private Charts() {
    }

    /** Writes every chart it has data for into {@code dir}; returns the files written. */
    public static List<Path> write(Path dir, List<Row> rows) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<Path> out = new ArrayList<>();
        for (String s : List.of("bulk-1", "bulk-many")) {
            throughput(dir, rows, s, out);
        }
        fairness(dir, rows, out);
        fatLink(dir, rows, out);
        return out;
    }

    private static void throughput(Path dir, List<Row> rows, String scenario, List<Path> out) throws IOException {
        List<Row> rs = rows.stream().filter(r -> r.scenario().equals(scenario)).toList();
        if (rs.isEmpty()) {
            return;
        }
        List<String> transports = new ArrayList<>(new LinkedHashSet<>(rs.stream().map(Row::transport).toList()));
        CategoryChart c = new CategoryChartBuilder().width(800).height(450)
                .title(scenario + ": throughput per transport (" + rs.get(0).params() + ")").xAxisTitle("transport")
                .yAxisTitle("MB/s").build();
        style(c);
        for (String v : List.of("tunnel", "raw", "h2")) {
            c.addSeries(v, transports, values(rs, transports, r -> r.variant().equals(v), Row::transport));
        }
        out.add(save(c, dir.resolve(scenario + "-throughput")));
    }

    private static void fairness(Path dir, List<Row> rows, List<Path> out) throws IOException {
        List<Row> rs = rows.stream().filter(r -> r.scenario().equals("fairness")).toList();
        if (rs.isEmpty()) {
            return;
        }
        List<String> frags = List.of("200", "1536", "16384");
        CategoryChart c = new CategoryChartBuilder().width(800).height(450)
                .title("ping latency under one bulk stream (" + rs.get(0).transport() + ")")
                .xAxisTitle("maxFragmentSize (bytes)").yAxisTitle("ping latency (ms, log)").build();
        style(c);
        c.getStyler().setYAxisLogarithmic(true);
        // bars start at zero, which a log axis cannot draw
        c.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
        for (String batch : List.of("64K", "2048K")) {
            for (String pct : List.of("p50", "p99")) {
                List<Double> ys = new ArrayList<>();
                for (String f : frags) {
                    Row r = rs.stream().filter(x -> x.params().startsWith("frag=" + f + " batch=" + batch + ""))
                            .findFirst().orElse(null);
                    double v = r == null ? Double.NaN : pct.equals("p99") ? r.value() : r.extra().get("p50_ms");
                    ys.add(Double.isFinite(v) && v > 0.001 ? v : 0.001);
                }
                c.addSeries(pct + ", maxBatchBytes " + batch, frags, ys);
            }
        }
        out.add(save(c, dir.resolve("fairness-latency")));
    }

    private static void fatLink(Path dir, List<Row> rows, List<Path> out) throws IOException {
        List<Row> rs = rows.stream().filter(r -> r.scenario().equals("fat-link")).toList();
        if (rs.isEmpty()) {
            return;
        }
        List<String> rtts = new ArrayList<>(new LinkedHashSet<>(rs.stream()
                .map(r -> (int) (double) r.extra().get("rtt_ms") + " ms").toList()));
        CategoryChart c = new CategoryChartBuilder().width(800).height(450).title("one stream over a long fat link")
                .xAxisTitle("RTT").yAxisTitle("MB/s").build();
        style(c);
        Set<String> transports = new LinkedHashSet<>(rs.stream().map(Row::transport).toList());
        for (String t : transports) {
            for (String v : List.of("tunnel", "raw")) {
                c.addSeries(t + " " + v, rtts, values(rs, rtts, r -> r.transport().equals(t) && r.variant().equals(v)
                        && !r.params().contains("64 MiB"), r -> (int) (double) r.extra().get("rtt_ms") + " ms"));
            }
            if (rs.stream().anyMatch(r -> r.transport().equals(t) && r.params().contains("64 MiB"))) {
                c.addSeries(t + " tunnel, 64 MiB windows", rtts, values(rs, rtts,
                        r -> r.transport().equals(t) && r.params().contains("64 MiB"),
                        r -> (int) (double) r.extra().get("rtt_ms") + " ms"));
            }
        }
        out.add(save(c, dir.resolve("fat-link")));
    }

    private static List<Double> values(List<Row> rs, List<String> keys, Predicate<Row> which,
            java.util.function.Function<Row, String> key) {
        List<Double> ys = new ArrayList<>();
        for (String k : keys) {
            ys.add(rs.stream().filter(which).filter(r -> key.apply(r).equals(k)).mapToDouble(Row::value).findFirst()
                    .orElse(0));
        }
        return ys;
    }

    private static void style(CategoryChart c) {
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    }

    private static Path save(CategoryChart c, Path base) throws IOException {
        BitmapEncoder.saveBitmap(c, base.toString(), BitmapEncoder.BitmapFormat.PNG);
        return Path.of(base + ".png");
    }
}
