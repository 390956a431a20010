package org.p2pvm.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's API tour runs and gets its greeting back through the tunnel. */
class ApiTourTest {
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theTourEchoesItsGreeting() throws Exception {
        assertEquals("hello through the tunnel", ApiTour.run());
    }
}
