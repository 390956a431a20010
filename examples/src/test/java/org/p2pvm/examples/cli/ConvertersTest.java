package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The argument types: byte sizes and endpoints. */
class ConvertersTest {
    private final Converters.ByteSizeConverter sizes = new Converters.ByteSizeConverter();

    @Test
    void byteSizesUseBinaryMultiples() {
        assertEquals(65536L, sizes.convert("65536"));
        assertEquals(65536L, sizes.convert("64k"));
        assertEquals(65536L, sizes.convert("64KiB"));
        assertEquals(65536L, sizes.convert("64 KB"));
        assertEquals(1L << 20, sizes.convert("1MiB"));
        assertEquals(3L << 30, sizes.convert("3g"));
        assertEquals(0L, sizes.convert("0"));
        assertEquals(7L, sizes.convert("7b"));
    }

    @Test
    void badByteSizes() {
        for (String bad : new String[] {"", "-1", "1.5k", "k", "12x", "9ib", "999999999999999g"}) {
            assertThrows(TypeConversionException.class, () -> sizes.convert(bad), bad);
        }
    }

    @Test
    void hostPortBecomesTcpUri() {
        assertEquals(URI.create("tcp://127.0.0.1:9988"), Converters.Endpoints.parse("127.0.0.1:9988", 1));
        assertEquals(URI.create("tcp://localhost:0"), Converters.Endpoints.parse("localhost:0", 0));
        assertEquals(URI.create("tcp://[::1]:9988"), Converters.Endpoints.parse("[::1]:9988", 1));
    }

    @Test
    void urisPassUnchanged() {
        assertEquals(URI.create("ws://127.0.0.1:9988/p2pvm"), Converters.Endpoints.parse("ws://127.0.0.1:9988/p2pvm", 1));
        assertEquals(URI.create("tcp://10.1.2.3:80"), Converters.Endpoints.parse("tcp://10.1.2.3:80", 1));
        assertEquals(URI.create("memory:demo"), Converters.Endpoints.parse("memory:demo", 1));
    }

    @Test
    void badEndpoints() {
        for (String bad : new String[] {"9988", "::1:9988", "host:", "host:123456", "ws://", "a b:80", "http://[::1"}) {
            assertThrows(TypeConversionException.class, () -> Converters.Endpoints.parse(bad, 1), bad);
        }
        assertThrows(TypeConversionException.class, () -> Converters.Endpoints.parse("127.0.0.1:0", 1));
    }
}
