package org.p2pvm.reliability.tls;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;

/**
 * TLS failures per transport (nio, netty, grizzly, and websocket over {@code wss://}), each dialled
 * by the same transport: the dial fails within the handshake timeout with an error that says what
 * failed, the acceptor hands no tunnel to the application and closes what it started, and the server
 * keeps accepting good dialers afterwards. Every transport is a dependency of this module: one that
 * is not registered fails here rather than being skipped.
 */
@Timeout(120)
class TlsFailureTest {
    private static final TestPki PKI = TlsTestSupport.pki("p2pvm-tls-fail");
    /** Another CA: certificates of one are not trusted by the other. */
    private static final TestPki ROGUE = TlsTestSupport.pki("p2pvm-tls-rogue");
    /** A server certificate for another host only. */
    private static final TestPki OTHER_HOST = TlsTestSupport.pki("p2pvm-tls-otherhost", "other.example");

    private Transport dialer;
    private Transport acceptor;
    private TransportServer server;
    private final AtomicInteger delivered = new AtomicInteger();

    @AfterEach
    void close() {
        if (dialer != null) {
            dialer.close();
        }
        if (acceptor != null) {
            acceptor.close();
        }
    }

    private void start(String name, TunnelOptions acceptorOptions) throws Exception {
        acceptor = TlsTestSupport.transport(name, "tls-fail-a-" + name);
        dialer = TlsTestSupport.transport(name, "tls-fail-d-" + name);
        server = acceptor.bind(TlsTestSupport.BIND, acceptorOptions, t -> {
            delivered.incrementAndGet();
            t.install(TlsTestSupport.echoServer());
        }).get(30, SECONDS);
    }

    /** Dials with {@code options}, expects a failure within the handshake timeout, returns its text. */
    private String dialFails(TunnelOptions options) throws Exception {
        return dialFails(server.uri(), options);
    }

    private String dialFails(URI uri, TunnelOptions options) throws Exception {
        CompletableFuture<Tunnel> f = dialer.connect(uri, options);
        // the handshake timeout is 5 s: 20 s means something hangs
        Throwable e = assertThrows(ExecutionException.class, () -> f.get(20, SECONDS)).getCause();
        // the acceptor closed whatever it started for this carrier
        for (Tunnel t : server.tunnels()) {
            t.closeFuture().get(20, SECONDS);
        }
        assertEquals(0, delivered.get(), "no tunnel reached the application on the acceptor");
        return TlsTestSupport.chainText(e);
    }

    /** The server still serves a good dialer after the failure. */
    private void serverStillWorks(TlsOptions goodClient) throws Exception {
        Tunnel t = dialer.connect(server.uri(), TlsTestSupport.options(goodClient)).get(30, SECONDS);
        TlsTestSupport.roundTrip(t, 10_000, 3);
        t.close();
        t.closeFuture().get(30, SECONDS);
    }

    private static void assertSays(String text, String... anyOf) {
        for (String s : anyOf) {
            if (text.contains(s)) {
                return;
            }
        }
        throw new AssertionError("the error does not say what failed (expected one of " + String.join(", ", anyOf)
                + "): " + text);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nio", "netty", "grizzly", "websocket"})
    void serverCertificateFromAnUntrustedCa_isRejected(String name) throws Exception {
        start(name, TlsTestSupport.options(PKI.serverTls()));
        String text = dialFails(TlsTestSupport.options(ROGUE.clientTlsWithoutCertificate()));
        if (name.equals("nio")) {
            assertSays(text, "certificate not trusted");
        }
        if (name.equals("websocket")) {
            // the JDK HTTP client's failure, with the URI dialled
            assertSays(text, "websocket connect to " + server.uri().toString().toLowerCase(java.util.Locale.ROOT));
        }
        assertSays(text, "certificate not trusted", "unable to find valid certification path", "pkix path");
        serverStillWorks(PKI.clientTlsWithoutCertificate());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nio", "netty", "grizzly", "websocket"})
    void serverCertificateForAnotherHost_isRejected(String name) throws Exception {
        start(name, TlsTestSupport.options(OTHER_HOST.serverTls()));
        String text = dialFails(TlsTestSupport.options(OTHER_HOST.clientTlsWithoutCertificate()));
        if (name.equals("nio")) {
            assertSays(text, "hostname mismatch");
        }
        assertSays(text, "hostname mismatch", "no subject alternative names", "no name matching");
        // the same certificate is fine when the dialer names the host it was made for
        Tunnel t = dialer.connect(server.uri(), TlsTestSupport.options(TlsOptions.builder()
                .trustedCertificates(OTHER_HOST.caCert).serverName("other.example").build())).get(30, SECONDS);
        TlsTestSupport.roundTrip(t, 10_000, 4);
        t.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nio", "netty", "grizzly", "websocket"})
    void clientCertificateRequiredButMissing_isRejected(String name) throws Exception {
        start(name, TlsTestSupport.options(PKI.serverTls(TlsOptions.ClientAuth.REQUIRED)));
        String text = dialFails(TlsTestSupport.options(PKI.clientTlsWithoutCertificate()));
        // TLS 1.3: the client learns it only from the server's alert after its own handshake finished;
        // nio names it, the others are only required to fail (grizzly's dialer reports just the closed carrier)
        if (name.equals("nio")) {
            assertSays(text, "client certificate required");
        }
        if (name.equals("websocket")) {
            // the JDK client waits for the HTTP answer, so it does see the server's alert
            assertSays(text, "bad_certificate");
        }
        serverStillWorks(PKI.clientTls());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nio", "netty", "grizzly", "websocket"})
    void plaintextDialerAgainstTlsAcceptor_failsCleanlyOnBothSides(String name) throws Exception {
        start(name, TlsTestSupport.options(PKI.serverTls()));
        if (name.equals("websocket")) {
            // the acceptor is wss://; a plaintext websocket dialer says ws:// (the same port and path)
            assertEquals("wss", server.uri().getScheme());
            URI plain = URI.create("ws" + server.uri().toString().substring("wss".length()));
            String text = dialFails(plain, TlsTestSupport.options(null));
            assertSays(text, "websocket connect to " + plain + ": the server's answer is not http; is it a wss://");
            // the acceptor saw no upgrade: dialFails checked that no tunnel was made or delivered
            assertEquals(0, server.tunnels().size(), "tunnels on the acceptor");
        } else {
            dialFails(TlsTestSupport.options(null));
        }
        serverStillWorks(PKI.clientTlsWithoutCertificate());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nio", "netty", "grizzly", "websocket"})
    void tlsDialerAgainstPlaintextAcceptor_failsCleanlyOnBothSides(String name) throws Exception {
        start(name, TlsTestSupport.options(null));
        // websocket: the acceptor is ws://; tcp:// with TLS settings dials wss:// on its port
        URI target = name.equals("websocket") ? URI.create("tcp://127.0.0.1:" + server.localAddress().getPort())
                : server.uri();
        String text = dialFails(target, TlsTestSupport.options(PKI.clientTlsWithoutCertificate()));
        if (name.equals("nio")) {
            assertSays(text, "does not speak tls", "closed the connection during the tls handshake");
        }
        if (name.equals("websocket")) {
            assertSays(text, "plaintext connection?");
        }
        Tunnel t = dialer.connect(server.uri(), TlsTestSupport.options(null)).get(30, SECONDS);
        TlsTestSupport.roundTrip(t, 10_000, 5);
        t.close();
    }
}
