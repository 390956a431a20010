package org.p2pvm.reliability.fuzz;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts a fuzz target's executions and writes the count to {@code target/fuzz-<name>.txt} when
 * the JVM ends (the numbers docs/RELIABILITY.md quotes). Thread-safe.
 */
final class FuzzStats {
    private final String name;
    private final AtomicLong executions = new AtomicLong();
    private final AtomicLong outcomes = new AtomicLong();
    private final long started = System.nanoTime();

    FuzzStats(String name) {
        this.name = name;
        Runtime.getRuntime().addShutdownHook(new Thread(this::write));
    }

    void execution() {
        executions.incrementAndGet();
    }

    /** Counts executions that ended in the interesting outcome (e.g. a protocol violation). */
    void outcome() {
        outcomes.incrementAndGet();
    }

    private void write() {
        try {
            Path target = Path.of(System.getProperty("basedir", "."), "target");
            Files.createDirectories(target);
            String mode = "1".equals(System.getenv("JAZZER_FUZZ")) ? "fuzzing" : "regression (seed corpus)";
            Files.writeString(target.resolve("fuzz-" + name + "-" + (mode.startsWith("fuzz") ? "fuzz" : "regression")
                    + ".txt"), name + ": " + executions.get() + " executions in " + mode + " mode, "
                    + (System.nanoTime() - started) / 1_000_000_000 + " s; " + outcomes.get()
                    + " ended in a protocol violation (expected for random input)\n", StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            // reporting only
        }
    }
}
