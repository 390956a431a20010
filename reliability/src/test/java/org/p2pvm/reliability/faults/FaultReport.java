package org.p2pvm.reliability.faults;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends one line per fault case to {@code target/faults.md} (copied into docs/RELIABILITY.md). */
final class FaultReport {
    private FaultReport() {
    }

    static synchronized void add(String what, String caller, String measured) {
        try {
            Path target = Path.of(System.getProperty("basedir", "."), "target");
            Files.createDirectories(target);
            Files.writeString(target.resolve("faults.md"), "| " + what + " | " + caller + " | " + measured + " |\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
