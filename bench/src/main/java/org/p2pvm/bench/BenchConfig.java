package org.p2pvm.bench;

import java.time.Duration;
import java.util.List;

/**
 * Sizes and durations of one benchmark run, derived from the command line: the full run follows
 * the issue 9 / 11 tables, {@code --quick} shrinks everything so the whole run fits in two minutes on
 * two cores, and {@code --scale} shrinks further (the smoke test). Immutable.
 *
 * @param bulkBytes bytes of the one-stream bulk transfer
 * @param manyStreams streams of the aggregate bulk scenario
 * @param manyBytesPerStream bytes each of those streams sends
 * @param rrStreams streams of the request/response scenario
 * @param measure how long each timed scenario (request/response, open/close, fairness) runs
 * @param openConcurrency streams in flight in the open+first byte+close scenario
 * @param idleStreams streams opened in the idle-streams scenario
 * @param fatBytes bytes of the long-fat-link transfer
 * @param rttsMillis round trip times of the long-fat-link scenario
 * @param heldStreams streams of the memory-held scenario
 * @param rounds how many times tunnel and baselines alternate (the median is reported)
 */
public record BenchConfig(long bulkBytes, int manyStreams, long manyBytesPerStream, int rrStreams, Duration measure,
        int openConcurrency, int idleStreams, long fatBytes, List<Integer> rttsMillis, int heldStreams, int rounds) {

    static final long MIB = 1024 * 1024;

    /** The full sizes. */
    public static BenchConfig full() {
        return new BenchConfig(1024 * MIB, 1000, 256 * 1024, 1000, Duration.ofSeconds(5), 100, 1_000_000,
                256 * MIB, List.of(10, 50, 100), 100, 3);
    }

    /** Small enough for two minutes on two cores. */
    public static BenchConfig quick() {
        return new BenchConfig(128 * MIB, 1000, 64 * 1024, 1000, Duration.ofMillis(1000), 100, 100_000,
                32 * MIB, List.of(50), 100, 1);
    }

    /** This config with every size and duration multiplied by {@code f} (0 &lt; f ≤ 1). */
    public BenchConfig scaled(double f) {
        if (f >= 1) {
            return this;
        }
        return new BenchConfig(Math.max(MIB, (long) (bulkBytes * f)), Math.max(10, (int) (manyStreams * f)),
                Math.max(1024, (long) (manyBytesPerStream * f)), Math.max(10, (int) (rrStreams * f)),
                Duration.ofMillis(Math.max(200, (long) (measure.toMillis() * f))), Math.max(4, (int) (openConcurrency * f)),
                Math.max(1000, (int) (idleStreams * f)), Math.max(MIB, (long) (fatBytes * f)), List.of(rttsMillis.get(0)),
                Math.max(4, (int) (heldStreams * f)), 1);
    }
}
