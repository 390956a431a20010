package org.p2pvm.bench.jmh;

/**
 * Runs the JMH benchmarks of this package. Without arguments it runs all of them with the GC
 * profiler ({@code -prof gc}), which prints {@code gc.alloc.rate.norm}: bytes allocated per
 * operation, i.e. per frame. Any arguments are passed to JMH unchanged, e.g.
 * {@code java -cp "$CP" org.p2pvm.bench.jmh.JmhMain FrameCodec -prof gc}.
 */
public final class JmhMain {
    private JmhMain() {
    }

    /** Entry point. */
    public static void main(String[] args) throws Exception {
        String[] a = args.length > 0 ? args : new String[] {"org.p2pvm.bench.jmh.", "-prof", "gc"};
        org.openjdk.jmh.Main.main(a);
    }
}
