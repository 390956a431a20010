package org.p2pvm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the rows as {@code results.json} and {@code results.md} (a Markdown table). The JSON is
 * written by hand: a flat array of flat objects needs no library. Called once at the end of a run.
 */
public final class Report {
    private Report() {
    }

    /** The Markdown table of {@code rows}. */
    public static String markdown(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("| scenario | transport | variant | params | value | metric | ratio | target | verdict | more |\n");
        sb.append("|---|---|---|---|---:|---|---:|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.scenario()).append(" | ").append(r.transport()).append(" | ")
                    .append(r.variant()).append(" | ").append(r.params()).append(" | ").append(num(r.value()))
                    .append(" | ").append(r.metric()).append(" | ")
                    .append(Double.isNaN(r.ratio()) ? "" : String.format(Locale.ROOT, "%.2f", r.ratio()))
                    .append(" | ").append(r.target()).append(" | ").append(r.verdict()).append(" | ");
            String sep = "";
            for (Map.Entry<String, Double> e : r.extra().entrySet()) {
                sb.append(sep).append(e.getKey()).append('=').append(num(e.getValue()));
                sep = ", ";
            }
            sb.append(" |\n");
        }
        return sb.toString();
    }

    /** The JSON array of {@code rows}. */
    public static String json(List<Row> rows, Map<String, String> machine) {
        StringBuilder sb = new StringBuilder("{\n  \"machine\": {");
        String sep = "";
        for (Map.Entry<String, String> e : machine.entrySet()) {
            sb.append(sep).append(str(e.getKey())).append(": ").append(str(e.getValue()));
            sep = ", ";
        }
        sb.append("},\n  \"rows\": [\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            sb.append("    {\"scenario\": ").append(str(r.scenario())).append(", \"transport\": ")
                    .append(str(r.transport())).append(", \"variant\": ").append(str(r.variant()))
                    .append(", \"params\": ").append(str(r.params())).append(", \"metric\": ").append(str(r.metric()))
                    .append(", \"value\": ").append(jnum(r.value())).append(", \"ratio\": ").append(jnum(r.ratio()))
                    .append(", \"target\": ").append(str(r.target())).append(", \"verdict\": ").append(str(r.verdict()));
            for (Map.Entry<String, Double> e : r.extra().entrySet()) {
                sb.append(", ").append(str(e.getKey())).append(": ").append(jnum(e.getValue()));
            }
            sb.append(i + 1 < rows.size() ? "},\n" : "}\n");
        }
        return sb.append("  ]\n}\n").toString();
    }

    /** Writes both files into {@code dir}. */
    public static void write(Path dir, List<Row> rows, Map<String, String> machine) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("results.json"), json(rows, machine), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("results.md"), markdown(rows), StandardCharsets.UTF_8);
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a >= 1000 ? "%,.0f" : a >= 10 ? "%.1f" : "%.3f", v);
    }

    private static String jnum(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.6g", v);
    }

    private static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
