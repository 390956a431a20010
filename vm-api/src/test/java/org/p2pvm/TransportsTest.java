package org.p2pvm;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.p2pvm.spi.Transports;

/** Transports: lookup errors list what is available; URI helpers. */
class TransportsTest {

    @Test
    void unknownName_listsAvailableNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transports.get("carrier-pigeon"));
        assertTrue(e.getMessage().contains("unknown transport 'carrier-pigeon'"), e.getMessage());
        assertTrue(e.getMessage().contains("available:"), e.getMessage());
    }

    @Test
    void tcpUris() {
        assertEquals(URI.create("tcp://127.0.0.1:9988"), Transports.tcpUri(new InetSocketAddress("127.0.0.1", 9988)));
        assertEquals(URI.create("tcp://[::1]:9"), Transports.tcpUri(InetSocketAddress.createUnresolved("::1", 9)));
        InetSocketAddress a = Transports.socketAddress(URI.create("tcp://[::1]:9"));
        assertEquals(9, a.getPort());
        assertThrows(IllegalArgumentException.class, () -> Transports.socketAddress(URI.create("ws://h:1/p")));
        assertThrows(IllegalArgumentException.class, () -> Transports.socketAddress(URI.create("tcp://nohost")));
    }
}
