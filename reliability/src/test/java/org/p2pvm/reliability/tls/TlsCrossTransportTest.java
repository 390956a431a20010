package org.p2pvm.reliability.tls;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;

/**
 * The cross-transport TLS matrix: a TLS dialer of one transport against a TLS acceptor of another
 * (every ordered pair of nio, netty and grizzly, all dependencies of this module, so a transport that
 * is not registered fails the pair), mutual authentication (client certificate required), then 1 MiB
 * through an echo service, checked byte for byte, on two streams one after the other. websocket is
 * not in the matrix: its peers speak WebSocket, which the TCP transports do not.
 */
@Timeout(120)
class TlsCrossTransportTest {
    private static final TestPki PKI = TlsTestSupport.pki("p2pvm-tls-matrix");

    static Stream<Arguments> pairs() {
        List<Arguments> out = new ArrayList<>();
        for (String d : TlsTestSupport.TCP_TRANSPORTS) {
            for (String a : TlsTestSupport.TCP_TRANSPORTS) {
                if (!d.equals(a)) {
                    out.add(Arguments.of(d, a));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} dialer -> {1} acceptor over TLS")
    @MethodSource("pairs")
    void tlsDialerAgainstTlsAcceptorOfAnotherTransport(String dialerName, String acceptorName) throws Exception {
        Transport acceptor = TlsTestSupport.transport(acceptorName, "tls-matrix-a-" + acceptorName);
        Transport dialer = TlsTestSupport.transport(dialerName, "tls-matrix-d-" + dialerName);
        try {
            CompletableFuture<Tunnel> accepted = new CompletableFuture<>();
            TransportServer server = acceptor.bind(TlsTestSupport.BIND,
                    TlsTestSupport.options(PKI.serverTls(TlsOptions.ClientAuth.REQUIRED)), t -> {
                        t.install(TlsTestSupport.echoServer());
                        accepted.complete(t);
                    }).get(30, SECONDS);
            Tunnel tunnel = dialer.connect(server.uri(), TlsTestSupport.options(PKI.clientTls())).get(30, SECONDS);
            Tunnel far = accepted.get(30, SECONDS);
            assertTrue(tunnel.isOpen() && far.isOpen(), "both ends open");
            TlsTestSupport.roundTrip(tunnel, 1 << 20, 1);
            TlsTestSupport.roundTrip(tunnel, 64 * 1024, 2);
            tunnel.close();
            tunnel.closeFuture().get(30, SECONDS);
            far.closeFuture().get(30, SECONDS);
            server.closeAsync().get(30, SECONDS);
        } finally {
            dialer.close();
            acceptor.close();
        }
    }
}
