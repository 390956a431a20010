package org.p2pvm.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One measured result line: a scenario, the transport it ran on, the variant (tunnel, raw, h2) and
 * its value. Rows are immutable; {@link #ratio} and {@link #target} are filled in by the scenario
 * that compares a tunnel row with its baseline. Created on the benchmark thread only.
 *
 * @param scenario scenario id, e.g. {@code bulk-1}
 * @param transport transport name, or {@code memory}
 * @param variant {@code tunnel}, {@code raw} or {@code h2}
 * @param params human readable parameters, e.g. {@code 1 GiB} or {@code frag=200 batch=64K}
 * @param metric what {@link #value} measures, e.g. {@code MB/s}
 * @param value the measured value
 * @param ratio tunnel ÷ baseline, or NaN where no comparison applies
 * @param target the target text, or empty
 * @param verdict {@code met}, {@code missed} or empty
 * @param extra further named numbers (latency percentiles, heap, …)
 */
public record Row(String scenario, String transport, String variant, String params, String metric, double value,
        double ratio, String target, String verdict, Map<String, Double> extra) {

    /** A plain row without comparison. */
    public static Row of(String scenario, String transport, String variant, String params, String metric,
            double value) {
        return new Row(scenario, transport, variant, params, metric, value, Double.NaN, "", "", Map.of());
    }

    /** This row with extra named numbers added. */
    public Row with(String key, double v) {
        Map<String, Double> m = new LinkedHashMap<>(extra);
        m.put(key, v);
        return new Row(scenario, transport, variant, params, metric, value, ratio, target, verdict, m);
    }

    /** This row compared with {@code baseline}: ratio value ÷ baseline and a verdict against {@code min}. */
    public Row against(double baseline, double min, String targetText) {
        double r = baseline > 0 ? value / baseline : Double.NaN;
        String v = Double.isNaN(r) ? "" : r >= min ? "met" : "missed";
        return new Row(scenario, transport, variant, params, metric, value, r, targetText, v, extra);
    }

    /** This row checked against an absolute target ({@code value <= max} when {@code lowerIsBetter}). */
    public Row target(double bound, boolean lowerIsBetter, String targetText) {
        boolean ok = lowerIsBetter ? value <= bound : value >= bound;
        return new Row(scenario, transport, variant, params, metric, value, ratio, targetText, ok ? "met" : "missed",
                extra);
    }
}
