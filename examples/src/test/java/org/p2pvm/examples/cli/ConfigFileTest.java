package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --config FILE}: YAML defaults for every option; environment variables and flags override them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConfigFileTest {
    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        Path f = dir.resolve("p2pvm.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void serveTakesItsOptionsFromTheFileAndFlagsOverrideThem() throws Exception {
        Path f = yaml("transport: nio\nserve:\n  bind: 127.0.0.1:0\n  echo: ['[::99]:1', '[::99]:2']\n  max-tunnels: 3\n");
        try (RunningCommand serve = RunningCommand.start("serve", "serve", "--config", f.toString())) {
            serve.await("listening on tcp://127\\.0\\.0\\.1:\\d+ \\(nio\\), serving echo on \\[::99]:1, \\[::99]:2");
        }
        try (RunningCommand serve = RunningCommand.start("serve", "serve", "--config", f.toString(), "--echo",
                "[::99]:3")) {
            serve.await("serving echo on \\[::99]:3$|serving echo on \\[::99]:3\\n");
        }
    }

    @Test
    void environmentBeatsTheFile() throws Exception {
        Path f = yaml("serve:\n  bind: 127.0.0.1:0\n  echo: '[::99]:1'\n  transport: memory\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = P2pvmCommand.newCommandLine(Map.of("P2PVM_TRANSPORT", "carrier-pigeon")::get);
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute("serve", "--config", f.toString());
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("carrier-pigeon"), err.toString());
    }

    @Test
    void unknownKeysAndBadYamlAreOneLineErrors() throws Exception {
        Cli.Result typo = Cli.run("serve", "--config", yaml("serve:\n  bnd: 127.0.0.1:0\n").toString());
        assertEquals(2, typo.exitCode(), typo.toString());
        assertEquals(1, typo.errLines().size(), typo.toString());
        assertTrue(typo.err().contains("'serve' has no option 'bnd'"), typo.toString());

        Cli.Result bad = Cli.run("serve", "--config", yaml("serve: [unclosed\n").toString());
        assertEquals(2, bad.exitCode(), bad.toString());
        assertEquals(1, bad.errLines().size(), bad.toString());
        assertTrue(bad.err().contains("not valid YAML"), bad.toString());

        Cli.Result missing = Cli.run("serve", "--config", dir.resolve("nope.yaml").toString());
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().startsWith("p2pvm: cannot read config"), missing.toString());
    }
}
