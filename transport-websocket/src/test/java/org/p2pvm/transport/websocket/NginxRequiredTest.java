package org.p2pvm.transport.websocket;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** A missing nginx skips the proxy tests, unless nginx is required (CI): then it fails them. */
class NginxRequiredTest {
    @Test
    void missingNginx_skips_whenNotRequired() {
        assertThrows(TestAbortedException.class, () -> NginxProcess.check(false, false));
    }

    @Test
    void missingNginx_fails_whenRequired() {
        AssertionError e = assertThrows(AssertionError.class, () -> NginxProcess.check(false, true));
        assertTrue(e.getMessage().contains("P2PVM_REQUIRE_NGINX"), e.getMessage());
    }

    @Test
    void presentNginx_runs_eitherWay() {
        assertDoesNotThrow(() -> NginxProcess.check(true, true));
        assertDoesNotThrow(() -> NginxProcess.check(true, false));
    }

    @Test
    void systemProperty_requiresNginx() {
        String before = System.getProperty("p2pvm.requireNginx");
        try {
            System.setProperty("p2pvm.requireNginx", "true");
            assertTrue(NginxProcess.required());
        } finally {
            if (before == null) {
                System.clearProperty("p2pvm.requireNginx");
            } else {
                System.setProperty("p2pvm.requireNginx", before);
            }
        }
    }
}
