package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code p2pvm bench} is reachable through the tool's own command line (the jar's main), not only on its own. */
class BenchSubcommandTest {

    @Test
    @Timeout(60)
    void benchRunsAsASubcommandOfTheTool(@TempDir Path out) throws Exception {
        Cli.Result r = Cli.run("bench", "--transport", "memory", "--scale", "0.01", "--idle-streams", "1000",
                "--scenario", "idle", "--out", out.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.readString(out.resolve("results.md")).contains("| idle | memory |"), r.toString());
    }

    @Test
    void anUnknownScenarioIsABadArgumentOfTheTool(@TempDir Path out) {
        Cli.Result r = Cli.run("bench", "--scenario", "nope", "--out", out.toString());
        assertEquals(2, r.exitCode(), r.toString());
    }
}
