package org.p2pvm.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.p2pvm.spi.Transports;
import picocli.CommandLine;

/** Keeps {@code p2pvm bench} working: tiny runs, exit code and files only, no timing assertions. */
class BenchCommandSmokeTest {

    @Test
    @Timeout(60)
    void tinyRunOverMemoryWritesJsonMarkdownAndCharts(@TempDir Path out) throws Exception {
        String text = run(out, "--transport", "memory", "--scale", "0.02", "--idle-streams", "2000",
                "--scenario", "bulk-1,bulk-many,rr,open-close,fairness,idle");
        assertTrue(Files.readString(out.resolve("results.json")).contains("\"scenario\": \"bulk-1\""), text);
        assertTrue(Files.readString(out.resolve("results.md")).contains("| fairness |"), text);
        assertTrue(Files.size(out.resolve("bulk-1-throughput.png")) > 0);
        assertTrue(Files.size(out.resolve("fairness-latency.png")) > 0);
    }

    @Test
    @Timeout(60)
    void tinyRunOverNioWithTheDelayedLink(@TempDir Path out) throws Exception {
        Assumptions.assumeTrue(Transports.names().contains("nio"), "transport-nio not on the class path yet");
        String text = run(out, "--transport", "nio", "--scale", "0.02", "--rtt", "10",
                "--scenario", "bulk-1,fat-link,held");
        assertTrue(Files.readString(out.resolve("results.md")).contains("| fat-link |"), text);
        assertTrue(Files.size(out.resolve("fat-link.png")) > 0);
        // the memory bound of §6: bytes held by readers that stopped never exceed the tunnel window
        assertTrue(Files.readString(out.resolve("results.md")).lines()
                .anyMatch(l -> l.startsWith("| held |") && l.contains("| met |")), text);
    }

    @Test
    void unknownScenarioIsABadArgument(@TempDir Path out) {
        assertEquals(2, new CommandLine(new BenchCommand(new PrintStream(new ByteArrayOutputStream())))
                .execute("--scenario", "nope", "--out", out.toString()));
    }

    private static String run(Path out, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--out";
        all[args.length + 1] = out.toString();
        int code = new CommandLine(new BenchCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8))).execute(all);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        return text;
    }
}
