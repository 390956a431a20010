package org.p2pvm.examples.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Smoke test of the Netty migration demo: run with no arguments (both peers in one process, as
 * docs/MIGRATION.md "Run it" shows first), it prints what that section shows: the login port, the
 * upgraded connection, and three "200 OK" answers over virtual connections.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyMigrationDemoTest {

    @Test
    void inProcessRunPrintsWhatMigrationMdShows() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            assertTrue(NettyMigrationDemo.run(new String[0], out));
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(5, lines.size(), String.join("\n", lines));
        Matcher serving = Pattern.compile("serving vm:\\[fd00::80]:80 through tunnels from the login port /\\S+:(\\d+)")
                .matcher(lines.get(0));
        assertTrue(serving.matches(), lines.get(0));
        String port = serving.group(1);
        assertTrue(lines.get(1).matches("logged in; /127\\.0\\.0\\.1:\\d+ -> /127\\.0\\.0\\.1:" + port + " is now a tunnel"),
                lines.get(1));
        for (int i = 1; i <= 3; i++) {
            String line = lines.get(1 + i);
            assertTrue(line.matches("vm:\\[::]:\\d+ -> vm:\\[fd00::80]:80: 200 OK hello from vm:\\[fd00::80]:80: /page/" + i),
                    line);
        }
    }

    @Test
    void unknownArgumentsDoNothing() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            assertFalse(NettyMigrationDemo.run(new String[] {"listen", "9000"}, out));
        }
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }
}
