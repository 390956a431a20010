package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code p2pvm demo} in-process with a small N, over the in-memory transport and over nio on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoCommandTest {

    @Test
    void demoOverTheDefaultMemoryTransport() {
        Cli.Result r = Cli.run("demo", "--connections", "300", "--bytes", "8k");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("through one memory tunnel"), r.toString());
        assertTrue(r.out().contains("demo over memory to [::99]:11139: 300 of 300 connections OK, every byte verified"),
                r.toString());
        assertTrue(r.out().contains("2.3 MiB sent, 2.3 MiB echoed and verified"), r.toString());
        assertTrue(r.out().contains("rtt "), r.toString());
        assertTrue(r.out().contains("heap used"), r.toString());
        assertTrue(r.err().isEmpty(), r.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "memory"})
    void demoWithAnExplicitTransport(String transport) {
        Cli.Result r = Cli.run("demo", "--transport", transport, "--connections", "500", "--bytes", "4096");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("demo over " + transport + " to [::99]:11139: 500 of 500 connections OK"),
                r.toString());
    }

    @Test
    void emptyConnectionsStillOpenAndClose() {
        Cli.Result r = Cli.run("demo", "--transport", "nio", "--connections", "50", "--bytes", "0");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("50 of 50 connections OK"), r.toString());
    }
}
