package org.p2pvm.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The typed property readers every transport uses: a bad value or an unknown key is named, never ignored. */
class TransportConfigPropertiesTest {
    private static TransportConfig with(String key, String value) {
        return TransportConfig.builder().property(key, value).build();
    }

    @Test
    void wholeNumbersAreReadTrimmedAndCheckedAgainstTheirRange() {
        assertEquals(4096, with("x.n", " 4096 ").intProperty("x.n", 1, 1, 10_000));
        assertEquals(7, TransportConfig.defaults().intProperty("x.n", 7, 1, 10));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> with("x.n", "1MiB").intProperty("x.n", 1, 1, 10));
        assertEquals("x.n is '1MiB' but must be a whole number", bad.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> with("x.n", "0").longProperty("x.n", 1, 1, 10));
        assertEquals("x.n is 0 but must be between 1 and 10", range.getMessage());
    }

    @Test
    void booleansAreTrueOrFalseOnly() {
        assertTrue(with("x.b", " TRUE ").booleanProperty("x.b", false));
        assertFalse(TransportConfig.defaults().booleanProperty("x.b", false));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> with("x.b", "maybe").booleanProperty("x.b", true));
        assertEquals("x.b is 'maybe' but must be true or false", bad.getMessage());
    }

    @Test
    void anUnknownKeyUnderThePrefixIsRejectedWithTheKnownOnes() {
        TransportConfig c = TransportConfig.builder().property("nio.readBufferSise", "1").property("netty.epoll", "x")
                .build();
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> c.requireKnownProperties("nio.", Set.of("nio.readBufferSize", "nio.backlog")));
        assertEquals("unknown nio transport property 'nio.readBufferSise'; known: nio.backlog, nio.readBufferSize",
                bad.getMessage());
        c.requireKnownProperties("grizzly.", Set.of("grizzly.maxWriteQueueBytes")); // other prefixes are not its business
    }
}
