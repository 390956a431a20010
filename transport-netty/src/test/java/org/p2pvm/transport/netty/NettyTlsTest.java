package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.OpenSsl;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * The netty carrier with TLS from {@link TunnelOptions#tls()}, on both engines (JDK and OpenSSL through
 * netty-tcnative, a test dependency here): tunnels run inside TLS, the engines interoperate, bad trust
 * and a wrong host name fail, and a bad provider setting says what to use.
 */
@Timeout(30)
class NettyTlsTest {
    private static final VmAddress ECHO = VmAddress.parse("[::99]:7");

    private static Transport netty(String provider) {
        return Transports.get("netty", TransportConfig.builder().property(NettyTls.PROVIDER_PROPERTY, provider).build());
    }

    @Test
    void openSslIsAvailableToTheseTests_soBothEnginesAreReallyCovered() {
        assertTrue(OpenSsl.isAvailable(), "netty-tcnative-boringssl-static is a test dependency: "
                + OpenSsl.unavailabilityCause());
        assertEquals("openssl", NettyTls.of(TlsOptions.builder().insecureTrustAll().build(), true, "auto").provider());
    }

    @ParameterizedTest(name = "dialer {0}, acceptor {1}")
    @CsvSource({"jdk,jdk", "openssl,openssl", "openssl,jdk", "jdk,openssl"})
    void tunnelOverTlsWithClientCertificates(String dialerEngine, String acceptorEngine, @TempDir Path dir)
            throws Exception {
        TestPki pki = TestPki.create(dir, "localhost", "127.0.0.1");
        TunnelOptions server = TunnelOptions.builder().authToken("t").tls(pki.serverTls(TlsOptions.ClientAuth.REQUIRED)).build();
        TunnelOptions client = TunnelOptions.builder().authToken("t").tls(pki.clientTls()).build();
        try (Transport s = netty(acceptorEngine); Transport c = netty(dialerEngine)) {
            TransportServer bound = s.bind(URI.create("tcp://127.0.0.1:0"), server, t -> t.install(Echo.server(ECHO)))
                    .get(10, SECONDS);
            Tunnel tunnel = c.connect(bound.uri(), client).get(10, SECONDS);
            byte[] data = new byte[300_000];
            new Random(9).nextBytes(data);
            VmConnection conn = tunnel.connect(ECHO).get(10, SECONDS);
            CompletableFuture<byte[]> back = Echo.readAll(conn);
            conn.write(ByteBuffer.wrap(data));
            conn.shutdownOutput();
            assertArrayEquals(data, back.get(10, SECONDS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void aClientThatDoesNotTrustTheServerFails(String engine, @TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir.resolve("a"), "localhost", "127.0.0.1");
        TestPki other = TestPki.create(dir.resolve("b"), "localhost", "127.0.0.1");
        TunnelOptions server = TunnelOptions.builder().tls(pki.serverTls()).build();
        TunnelOptions client = TunnelOptions.builder().tls(other.clientTlsWithoutCertificate()).build();
        try (Transport s = netty(engine); Transport c = netty(engine)) {
            TransportServer bound = s.bind(URI.create("tcp://127.0.0.1:0"), server, t -> { }).get(10, SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> c.connect(bound.uri(), client).get(10, SECONDS));
            assertTrue(e.getCause() instanceof java.io.IOException, e.getCause().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdk", "openssl"})
    void aServerCertificateForAnotherHostIsRejected(String engine, @TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "elsewhere.example"); // not valid for 127.0.0.1
        TunnelOptions server = TunnelOptions.builder().tls(pki.serverTls()).build();
        TunnelOptions client = TunnelOptions.builder().tls(pki.clientTlsWithoutCertificate()).build();
        try (Transport s = netty("jdk"); Transport c = netty(engine)) {
            TransportServer bound = s.bind(URI.create("tcp://127.0.0.1:0"), server, t -> { }).get(10, SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> c.connect(bound.uri(), client).get(10, SECONDS));
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                chain.append(t).append(" <- ");
            }
            // the same PKI with the right name succeeds (tunnelOverTls...), so the handshake fails on the name
            assertTrue(chain.toString().contains("SSLHandshakeException"), chain.toString());
        }
    }

    @Test
    void anUnknownProvider_failsTheTransportNamingThePropertyAndTheChoices() {
        // rejected when the transport is made, before any TLS dial could trip over it
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> netty("boringish"));
        String m = e.getMessage();
        assertTrue(m.contains("netty.tls.provider is 'boringish'") && m.contains("auto, jdk or openssl"), m);
        // and NettyTls itself still refuses one (it is also reached with the value the settings let through)
        IllegalArgumentException direct = assertThrows(IllegalArgumentException.class, () -> NettyTls.of(
                TlsOptions.builder().insecureTrustAll().build(), true, "boringish"));
        assertTrue(direct.getMessage().contains("netty.tls.provider=boringish"), direct.getMessage());
    }

    @Test
    void aReadySslContext_usesTheJdkEngine_andOpensslRefusesIt() throws Exception {
        TlsOptions ready = TlsOptions.builder().sslContext(javax.net.ssl.SSLContext.getDefault()).build();
        assertEquals("jdk", NettyTls.of(ready, true, "auto").provider());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NettyTls.of(ready, true, "openssl"));
        assertTrue(e.getMessage().contains("ready SSLContext"), e.getMessage());
    }
}
