package org.p2pvm.transport.grizzly;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.p2pvm.VmAddress;

/** Virtual addresses as Grizzly socket addresses, and the errors for what is not one. */
class VmAddressesTest {

    @Test
    void roundTripsThroughInetSocketAddress() {
        for (String text : new String[] {"[::99]:7777", "[fd00::1]:80", "[::]:1", "[::ffff:10.0.0.1]:9"}) {
            VmAddress a = VmAddress.parse(text);
            InetSocketAddress isa = VmAddresses.toSocketAddress(a);
            assertTrue(isa.getAddress() instanceof Inet6Address, text); // even IPv4-mapped stays IPv6
            assertEquals(a, VmAddresses.fromSocketAddress(isa));
        }
        assertEquals(VmAddress.parse("[::99]:7777"), VmAddresses.fromSocketAddress(new InetSocketAddress("::99", 7777)));
    }

    @Test
    void hostNamesAndIpv4AreRejectedWithTheIpv6Form() {
        IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                () -> VmAddresses.fromSocketAddress(InetSocketAddress.createUnresolved("echo.internal", 7)));
        assertTrue(name.getMessage().contains("host name"), name.getMessage());
        IllegalArgumentException v4 = assertThrows(IllegalArgumentException.class,
                () -> VmAddresses.fromSocketAddress(new InetSocketAddress("10.0.0.1", 7)));
        assertTrue(v4.getMessage().contains("[::ffff:10.0.0.1]:7"), v4.getMessage());
    }

    @Test
    void aVmTransportWithoutAChainSaysWhatIsMissing() {
        VmTransport t = new VmTransport("empty");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.server(VmAddress.parse("[::1]:1"))
                .acceptor().onConnection(null));
        assertTrue(e.getMessage().contains("setProcessor"), e.getMessage());
    }
}
