package org.p2pvm;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** VmAddress: IPv6 literals only (PROTOCOL.md §1), RFC 5952 text. */
class VmAddressTest {

    @ParameterizedTest
    @CsvSource({
        "'[::99]:11139', '[::99]:11139'",
        "'[::]:0', '[::]:0'",
        "'[::1]:65535', '[::1]:65535'",
        "'[2001:DB8:0:0:0:0:0:1]:80', '[2001:db8::1]:80'",
        "'[2001:db8:0:0:1:0:0:1]:80', '[2001:db8::1:0:0:1]:80'",
        "'[2001:0db8:0000:0000:0001:0000:0000:0001]:80', '[2001:db8::1:0:0:1]:80'",
        "'[2001:db8:0:1:1:1:1:1]:80', '[2001:db8:0:1:1:1:1:1]:80'",
        "'[1:0:0:2:0:0:0:3]:1', '[1:0:0:2::3]:1'",
        "'[fe80::]:1', '[fe80::]:1'",
        "'[::ffff:1.2.3.4]:80', '[::ffff:1.2.3.4]:80'",
        "'[::FFFF:0102:0304]:80', '[::ffff:1.2.3.4]:80'",
        "'[1:2:3:4:5:6:7:8]:9', '[1:2:3:4:5:6:7:8]:9'",
    })
    void parsesAndPrintsRfc5952(String in, String canonical) {
        VmAddress a = VmAddress.parse(in);
        assertEquals(canonical, a.toString());
        assertEquals(a, VmAddress.parse(a.toString()), "round trip");
    }

    @Test
    void ipv4MappedStaysIpv6() {
        VmAddress a = VmAddress.parse("[::ffff:1.2.3.4]:80");
        byte[] b = a.addressBytes();
        assertEquals(16, b.length);
        assertEquals((byte) 0xFF, b[10]);
        assertEquals(4, b[15]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4:80", "127.0.0.1:9988"})
    void rejectsIpv4_sayingIpv6IsRequired(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VmAddress.parse(text));
        assertTrue(e.getMessage().contains("IPv6"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost:80", "example.com:443", "[localhost]:80", "[1.2.3.4]:80", "::1:80",
        "[::1]", "[::1]:", "[1:2:3:4:5:6:7:8:9]:1", "[1::2::3]:1",
        "[12345::]:1", "[::1%eth0]:1", "[:1]:1", "[1:]:1", "", "   "})
    void rejectsEverythingElse_withAHint(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VmAddress.parse(text));
        assertTrue(e.getMessage().contains("[::99]:11139"), "the message shows a valid address: " + e.getMessage());
    }

    /** A bad port is named, with what a port must be and an example of a valid address. */
    @ParameterizedTest
    @ValueSource(strings = {"[::1]:65536", "[::1]:-1", "[::1]:8x", "[::1]:1x", "[::1]:123456", "[::1]:99999"})
    void rejectsBadPorts_namingThePortTheRangeAndAnExample(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VmAddress.parse(text));
        String badPort = text.substring(text.indexOf("]:") + 2);
        String m = e.getMessage();
        assertTrue(m.contains("bad port") && m.contains(badPort), "says which port is wrong: " + m);
        assertTrue(m.contains("a port is a number from 0 to 65535"), "says what a port must be: " + m);
        assertTrue(m.contains("[::99]:11139"), "shows a valid address: " + m);
    }

    @Test
    void of_rejectsABadPort_sayingTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VmAddress.of("::1", 65536));
        assertTrue(e.getMessage().contains("65536 is out of range") && e.getMessage().contains("0 to 65535"),
                e.getMessage());
    }

    @Test
    void portRange() {
        assertEquals(65535, VmAddress.of("::1", 65535).port());
        assertThrows(IllegalArgumentException.class, () -> VmAddress.of("::1", 65536));
        assertThrows(IllegalArgumentException.class, () -> VmAddress.of("::1", -1));
        assertThrows(IllegalArgumentException.class, () -> VmAddress.of(new byte[4], 1));
    }

    @Test
    void wildcard() {
        assertTrue(VmAddress.any(7).isAny());
        assertEquals(VmAddress.any(7), VmAddress.parse("[2001:db8::1]:7").withAnyAddress());
        assertFalse(VmAddress.parse("[::1]:7").isAny());
    }

    @Test
    void wireForm_is18Bytes() {
        VmAddress a = VmAddress.parse("[2001:db8::7]:11139");
        ByteBuffer b = ByteBuffer.allocate(18);
        a.writeTo(b);
        assertFalse(b.hasRemaining());
        b.flip();
        assertEquals(a, VmAddress.readFrom(b));
    }

    @Test
    void equalityAndOrder() {
        assertEquals(VmAddress.parse("[::1]:1"), VmAddress.of("0:0:0:0:0:0:0:1", 1));
        assertEquals(VmAddress.parse("[::1]:1").hashCode(), VmAddress.of("::1", 1).hashCode());
        assertTrue(VmAddress.parse("[::1]:1").compareTo(VmAddress.parse("[::2]:0")) < 0);
        assertTrue(VmAddress.parse("[::1]:1").compareTo(VmAddress.parse("[::1]:2")) < 0);
    }

    @Test
    void any_isOneSharedInstancePerPort_andWireReadsOfItShareIt() {
        assertSame(VmAddress.any(49152), VmAddress.any(49152));
        assertSame(VmAddress.any(7), VmAddress.of("::1", 7).withAnyAddress());
        ByteBuffer wire = ByteBuffer.allocate(36);
        VmAddress.any(50000).writeTo(wire);
        VmAddress.parse("[::1]:50000").writeTo(wire);
        wire.flip();
        assertSame(VmAddress.any(50000), VmAddress.readFrom(wire));
        VmAddress other = VmAddress.readFrom(wire);
        assertEquals(VmAddress.parse("[::1]:50000"), other);
        assertFalse(other.isAny());
        assertEquals(36, wire.position());
    }

    @Test
    void any_rejectsABadPort_withTheUsualMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VmAddress.any(65536));
        assertTrue(e.getMessage().contains("port 65536 is out of range"), e.getMessage());
    }
}
