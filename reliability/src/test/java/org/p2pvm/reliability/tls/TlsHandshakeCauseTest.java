package org.p2pvm.reliability.tls;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.HandshakeException;
import org.p2pvm.Tunnel;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;

/**
 * A carrier that fails during the tunnel handshake hands its cause to the user (issue 7): a dialer
 * trusting another CA gets a {@link HandshakeException} whose cause chain holds the TLS layer's
 * {@link SSLHandshakeException}, not just a reason text.
 */
@Timeout(60)
class TlsHandshakeCauseTest {
    private static final TestPki PKI = TlsTestSupport.pki("p2pvm-tls-cause");
    private static final TestPki ROGUE = TlsTestSupport.pki("p2pvm-tls-cause-rogue");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nio", "netty"})
    void untrustedServer_handshakeExceptionCarriesTheSslCause(String name) throws Exception {
        Transport acceptor = TlsTestSupport.transport(name, "tls-cause-a-" + name);
        Transport dialer = TlsTestSupport.transport(name, "tls-cause-d-" + name);
        try {
            TransportServer server = acceptor.bind(TlsTestSupport.BIND, TlsTestSupport.options(PKI.serverTls()),
                    t -> t.install(TlsTestSupport.echoServer())).get(30, SECONDS);
            CompletableFuture<Tunnel> f = dialer.connect(server.uri(),
                    TlsTestSupport.options(ROGUE.clientTlsWithoutCertificate()));
            Throwable e = assertThrows(ExecutionException.class, () -> f.get(20, SECONDS)).getCause();
            assertInstanceOf(HandshakeException.class, e, () -> TlsTestSupport.chainText(e));
            boolean found = false;
            for (Throwable c = e.getCause(); c != null && !found; c = c.getCause()) {
                found = c instanceof SSLHandshakeException;
            }
            assertTrue(found, () -> "no SSLHandshakeException in the cause chain: " + TlsTestSupport.chainText(e));
            server.closeAsync().get(30, SECONDS);
        } finally {
            dialer.close();
            acceptor.close();
        }
    }
}
