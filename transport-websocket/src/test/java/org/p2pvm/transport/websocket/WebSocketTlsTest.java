package org.p2pvm.transport.websocket;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;

/** wss:// with the tunnel's TLS settings, on run-time certificates. */
@Timeout(120)
class WebSocketTlsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static WebSocketTransport server;
    static WebSocketTransport client;

    @BeforeAll
    static void setUp() throws Exception {
        pki = TestPki.create(dir);
        server = new WebSocketTransport(TransportConfig.builder().ioThreads(1).build());
        client = new WebSocketTransport(TransportConfig.builder().ioThreads(1).build());
    }

    @AfterAll
    static void tearDown() {
        client.close();
        server.close();
    }

    private static TunnelOptions tls(TlsOptions t) {
        return TunnelOptions.builder().authToken("tls").tls(t).build();
    }

    private static Throwable failure(CompletableFuture<?> f) {
        return assertThrows(ExecutionException.class, () -> f.get(30, SECONDS)).getCause();
    }

    @Test
    void wssEchoAndTcpShorthandBecomesWss() throws Exception {
        TransportServer bound = server.bind(URI.create("tcp://127.0.0.1:0"), tls(pki.serverTls()),
                t -> t.install(Echo.server())).get(30, SECONDS);
        assertEquals("wss", bound.uri().getScheme());
        Tunnel tunnel = client.connect(bound.uri(), tls(pki.clientTls())).get(30, SECONDS);
        Echo.roundTrip(tunnel, 2 * 1024 * 1024);
        Tunnel viaTcp = client.connect(URI.create("tcp://127.0.0.1:" + bound.localAddress().getPort()),
                tls(pki.clientTlsWithoutCertificate())).get(30, SECONDS);
        Echo.roundTrip(viaTcp, 1000);
        bound.closeAsync().get(30, SECONDS);
    }

    @Test
    void clientCertificateRequired() throws Exception {
        TransportServer bound = server.bind(URI.create("wss://127.0.0.1:0/p2pvm"),
                tls(pki.serverTls(TlsOptions.ClientAuth.REQUIRED)), t -> t.install(Echo.server())).get(30, SECONDS);
        Echo.roundTrip(client.connect(bound.uri(), tls(pki.clientTls())).get(30, SECONDS), 100);
        Throwable e = failure(client.connect(bound.uri(), tls(pki.clientTlsWithoutCertificate())));
        assertInstanceOf(IOException.class, e);
        bound.closeAsync().get(30, SECONDS);
    }

    @Test
    void untrustedServerIsRefused() throws Exception {
        TransportServer bound = server.bind(URI.create("wss://127.0.0.1:0/p2pvm"), tls(pki.serverTls()), null)
                .get(30, SECONDS);
        // no TLS settings: the JDK's default trust store does not know the test CA
        Throwable e = failure(client.connect(bound.uri(), TunnelOptions.builder().authToken("tls").build()));
        assertInstanceOf(IOException.class, e);
        bound.closeAsync().get(30, SECONDS);
    }

    @Test
    void misconfigurationsFailClearly() {
        Throwable noKey = failure(server.bind(URI.create("wss://127.0.0.1:0/p2pvm"),
                TunnelOptions.builder().build(), null));
        assertTrue(noKey.getMessage().contains("TLS settings required"), noKey.getMessage());
        Throwable plain = failure(client.connect(URI.create("ws://127.0.0.1:1/p2pvm"), tls(pki.clientTls())));
        assertTrue(plain.getMessage().contains("wss://127.0.0.1:1/p2pvm"), plain.getMessage());
    }

    /** The text of a failure's whole cause chain, lower case. */
    private static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            sb.append(c).append(" | ");
        }
        return sb.toString().toLowerCase(java.util.Locale.ROOT);
    }

    @Test
    void certificateForAnotherHost_isRejected_unlessHostnameVerificationIsSkipped() throws Exception {
        TestPki other = TestPki.create(dir.resolve("other-host"), "other.example");
        TransportServer bound = server.bind(URI.create("wss://127.0.0.1:0/p2pvm"), tls(other.serverTls()),
                t -> t.install(Echo.server())).get(30, SECONDS);
        String text = chain(failure(client.connect(bound.uri(), tls(other.clientTlsWithoutCertificate()))));
        assertTrue(text.contains("no subject alternative names matching ip address 127.0.0.1"), text);
        Tunnel t = client.connect(bound.uri(), tls(TlsOptions.builder().trustedCertificates(other.caCert)
                .insecureSkipHostnameVerification().build())).get(30, SECONDS);
        Echo.roundTrip(t, 1000);
        // skipping the hostname check still checks the chain
        text = chain(failure(client.connect(bound.uri(), tls(TlsOptions.builder().trustedCertificates(pki.caCert)
                .insecureSkipHostnameVerification().build()))));
        assertTrue(text.contains("unable to find valid certification path"), text);
        bound.closeAsync().get(30, SECONDS);
    }

    @Test
    void insecureTrustAll_acceptsAnUnknownCa() throws Exception {
        TransportServer bound = server.bind(URI.create("wss://127.0.0.1:0/p2pvm"), tls(pki.serverTls()),
                t -> t.install(Echo.server())).get(30, SECONDS);
        // the JDK's default trust does not know the test CA; trust-all takes any certificate
        Tunnel t = client.connect(bound.uri(), tls(TlsOptions.builder().insecureTrustAll().build())).get(30, SECONDS);
        Echo.roundTrip(t, 1000);
        bound.closeAsync().get(30, SECONDS);
    }

    @Test
    void serverName_isSentAsSni_andTheCertificateIsVerifiedAgainstIt() throws Exception {
        SniRecorder sni = new SniRecorder(pki);
        // a ready SSLContext on the acceptor (its key manager records the SNI the client sent)
        TransportServer bound = server.bind(URI.create("wss://localhost:0/p2pvm"),
                tls(TlsOptions.builder().sslContext(sni.context()).build()), t -> t.install(Echo.server()))
                .get(30, SECONDS);
        int port = bound.localAddress().getPort();
        URI byAddress = URI.create("wss://127.0.0.1:" + port + "/p2pvm");
        URI byName = URI.create("wss://localhost:" + port + "/p2pvm");

        Tunnel t = client.connect(byAddress, tls(TlsOptions.builder().trustedCertificates(pki.caCert)
                .serverName("localhost").build())).get(30, SECONDS);
        Echo.roundTrip(t, 1000);
        assertEquals("localhost", sni.last());

        // the certificate names localhost and 127.0.0.1, not the server name: rejected although it
        // matches the dialled host, and the JDK client's own SNI (the URI's host) is replaced
        for (URI uri : new URI[] {byAddress, byName}) {
            String text = chain(failure(client.connect(uri, tls(TlsOptions.builder().trustedCertificates(pki.caCert)
                    .serverName("wrong.example").build()))));
            assertTrue(text.contains("name matching wrong.example"), uri + ": " + text);
            assertEquals("wrong.example", sni.last(), uri.toString());
        }
        bound.closeAsync().get(30, SECONDS);
    }
}
