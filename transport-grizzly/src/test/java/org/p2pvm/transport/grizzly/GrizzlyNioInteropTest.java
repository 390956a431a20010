package org.p2pvm.transport.grizzly;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * A grizzly peer and an nio peer interoperate on the wire, both directions: handshake with a token,
 * echo of small and large data over virtual connections, graceful close. transport-nio is a test
 * dependency, so a missing registration fails rather than skips.
 */
@Timeout(60)
class GrizzlyNioInteropTest {

    @ParameterizedTest(name = "{0} dials {1}")
    @CsvSource({"grizzly, nio", "nio, grizzly"})
    void echoesBothWays(String dialerName, String acceptorName) throws Exception {
        TunnelOptions options = TunnelOptions.builder().authToken("interop").build();
        try (Transport acceptor = Transports.get(acceptorName); Transport dialer = Transports.get(dialerName)) {
            TransportServer bound = acceptor.bind(new InetSocketAddress("127.0.0.1", 0), options,
                    t -> t.install(GrizzlyTransportTest.echoServer())).get(10, SECONDS);
            Tunnel tunnel = dialer.connect(bound.uri(), options).get(10, SECONDS);
            assertTrue(tunnel.isDialer());
            tunnel.awaitRemoteListen(GrizzlyTransportTest.ECHO).get(10, SECONDS);
            GrizzlyTransportTest.echo(tunnel, 1);
            GrizzlyTransportTest.echo(tunnel, 4 * 1024 * 1024 + 3);
            assertEquals(1, bound.tunnels().size());
            tunnel.close();
            tunnel.closeFuture().get(20, SECONDS);
            assertFalse(tunnel.isOpen());
        }
    }
}
