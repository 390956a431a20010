package org.p2pvm.bench.scenario;

import java.util.ArrayList;
import java.util.List;
import org.p2pvm.bench.BenchConfig;
import org.p2pvm.bench.Progress;
import org.p2pvm.bench.Row;

/**
 * What a scenario needs: the sizes, the transports to run on, the progress line and the result
 * list it appends to. Used by the one benchmark thread.
 */
public final class Context {
    final BenchConfig config;
    final List<String> transports;
    final Progress progress;
    final List<Row> rows = new ArrayList<>();

    /** @param transports transports to run on, in order; the first also runs the single-transport scenarios */
    public Context(BenchConfig config, List<String> transports, Progress progress) {
        this.config = config;
        this.transports = List.copyOf(transports);
        this.progress = progress;
    }

    /** Rows measured so far. */
    public List<Row> rows() {
        return rows;
    }

    void add(Row r) {
        rows.add(r);
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    static double mbps(long bytes, double seconds) {
        return bytes / seconds / 1e6;
    }
}
