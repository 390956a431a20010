package org.p2pvm.reliability.tls;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;

/**
 * The other ways to give key material, over a real carrier: an acceptor on PKCS#12 key and trust
 * stores (written at run time with the KeyStore API) asking for a client certificate without
 * requiring it (ClientAuth.OPTIONAL), dialled by a ready SSLContext without a key, by PKCS#12 stores
 * with the client key, and by a client certificate of another CA (rejected: optional still checks).
 */
@Timeout(120)
class TlsMaterialTest {
    private static final char[] PASSWORD = "p12-test".toCharArray();
    private static final TestPki PKI = TlsTestSupport.pki("p2pvm-tls-material");
    private static final TestPki ROGUE = TlsTestSupport.pki("p2pvm-tls-material-rogue");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nio", "websocket"})
    void pkcs12Acceptor_withOptionalClientAuth_againstAReadyContext_andPkcs12Dialers(String name) throws Exception {
        Transport acceptor = TlsTestSupport.transport(name, "tls-material-a-" + name);
        Transport dialer = TlsTestSupport.transport(name, "tls-material-d-" + name);
        try {
            TlsOptions serverTls = TlsOptions.builder().keyStore(PKI.serverKeyStore(PASSWORD), PASSWORD)
                    .trustStore(PKI.trustStore(PASSWORD), PASSWORD).clientAuth(TlsOptions.ClientAuth.OPTIONAL).build();
            TransportServer server = acceptor.bind(TlsTestSupport.BIND, TlsTestSupport.options(serverTls),
                    t -> t.install(TlsTestSupport.echoServer())).get(30, SECONDS);

            // a ready context, trusting the CA, with no key: optional client auth lets it in
            SSLContext ready = PKI.context(null, PASSWORD);
            Tunnel a = dialer.connect(server.uri(), TlsTestSupport.options(TlsOptions.builder().sslContext(ready).build()))
                    .get(30, SECONDS);
            TlsTestSupport.roundTrip(a, 64 * 1024, 11);
            a.close();

            // PKCS#12 on the dialer too, with its certificate
            Tunnel b = dialer.connect(server.uri(), TlsTestSupport.options(TlsOptions.builder()
                    .keyStore(PKI.clientKeyStore(PASSWORD), PASSWORD).trustStore(PKI.trustStore(PASSWORD), PASSWORD)
                    .build())).get(30, SECONDS);
            TlsTestSupport.roundTrip(b, 64 * 1024, 12);
            b.close();

            // a certificate the acceptor does not trust is refused although it was only asked for (a
            // context that offers it anyway: the JDK's own key manager offers none to a server naming
            // another CA)
            SSLContext offersRogue = ROGUE.clientContextAlwaysOffering(PKI.caCert);
            Throwable e = assertThrows(ExecutionException.class, () -> dialer.connect(server.uri(),
                    TlsTestSupport.options(TlsOptions.builder().sslContext(offersRogue).build())).get(20, SECONDS))
                    .getCause();
            String text = TlsTestSupport.chainText(e);
            // TLS 1.3: the dialer learns of the refusal from the acceptor's alert; nio names it, and the
            // JDK HTTP client (websocket) reports the alert itself
            if (name.equals("websocket")) {
                assertTrue(text.contains("bad_certificate") || text.contains("certificate_unknown"), text);
            }
            server.closeAsync().get(30, SECONDS);
        } finally {
            dialer.close();
            acceptor.close();
        }
    }
}
