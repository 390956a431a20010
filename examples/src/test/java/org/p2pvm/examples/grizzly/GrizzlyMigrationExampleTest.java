package org.p2pvm.examples.grizzly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Grizzly migration example of docs/MIGRATION.md runs its three steps and prints what it says. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrizzlyMigrationExampleTest {

    @Test
    void logsInUpgradesAndEchoesOverAVirtualConnection() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            GrizzlyMigrationExample.run(out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertEquals(7, lines.size(), text);
        assertTrue(lines.get(0).startsWith("login server on tcp:/"), text);
        assertTrue(lines.get(1).startsWith("logged in; the same socket is now a tunnel "), text);
        // step 2: the peer is the virtual IPv6 address [::99]:7777
        assertTrue(lines.get(2).startsWith("virtual connection ") && lines.get(2).endsWith(" -> /[0:0:0:0:0:0:0:99]:7777"), text);
        // the server chain (EchoChains.server) answers "echo: " and the line upper-cased
        assertEquals("  sent 'hello', got 'echo: HELLO'", lines.get(3));
        assertEquals("  sent 'grizzly', got 'echo: GRIZZLY'", lines.get(4));
        assertEquals("  sent 'over a tunnel', got 'echo: OVER A TUNNEL'", lines.get(5));
        assertEquals("done", lines.get(6));
    }
}
