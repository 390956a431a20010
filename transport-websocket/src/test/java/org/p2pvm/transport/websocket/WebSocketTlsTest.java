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
        Throwable skip = failure(client.connect(URI.create("wss://127.0.0.1:1/p2pvm"), tls(TlsOptions.builder()
                .trustedCertificates(pki.caCert).insecureSkipHostnameVerification().build())));
        assertTrue(skip.getMessage().contains("hostname"), skip.getMessage());
    }
}
