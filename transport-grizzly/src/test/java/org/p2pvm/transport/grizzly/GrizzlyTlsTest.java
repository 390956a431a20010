package org.p2pvm.transport.grizzly;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/** TLS on the Grizzly carrier (Grizzly's SSLFilter configured by the engine's TlsContexts). */
@Timeout(60)
class GrizzlyTlsTest {

    private static TunnelOptions with(TlsOptions tls) {
        return TunnelOptions.builder().authToken("t").tls(tls).build();
    }

    @Test
    void tunnelOverTlsEchoesAndVerifiesTheServerName(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "localhost");
        try (Transport a = Transports.get("grizzly"); Transport b = Transports.get("grizzly")) {
            TransportServer bound = a.bind(new InetSocketAddress("127.0.0.1", 0), with(pki.serverTls()),
                    t -> t.install(GrizzlyTransportTest.echoServer())).get(10, SECONDS);
            URI byName = URI.create("tcp://localhost:" + bound.localAddress().getPort());
            Tunnel tunnel = b.connect(byName, with(pki.clientTls())).get(20, SECONDS);
            tunnel.awaitRemoteListen(GrizzlyTransportTest.ECHO).get(10, SECONDS);
            GrizzlyTransportTest.echo(tunnel, 100);
            GrizzlyTransportTest.echo(tunnel, 1024 * 1024);
            tunnel.close();
            tunnel.closeFuture().get(20, SECONDS);
        }
    }

    @Test
    void anUntrustedServerFailsTheDial(@TempDir Path dir) throws Exception {
        TestPki server = TestPki.create(dir.resolve("a"), "localhost");
        TestPki other = TestPki.create(dir.resolve("b"), "localhost");
        try (Transport a = Transports.get("grizzly"); Transport b = Transports.get("grizzly")) {
            TransportServer bound = a.bind(new InetSocketAddress("127.0.0.1", 0), with(server.serverTls()), t -> { })
                    .get(10, SECONDS);
            URI byName = URI.create("tcp://localhost:" + bound.localAddress().getPort());
            CompletableFuture<Tunnel> f = b.connect(byName, with(other.clientTls()));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, SECONDS));
            assertTrue(e.getCause() instanceof java.io.IOException, e.getCause().toString());
        }
    }

    @Test
    void aWrongHostNameFailsTheDial(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "some.other.name");
        try (Transport a = Transports.get("grizzly"); Transport b = Transports.get("grizzly")) {
            TransportServer bound = a.bind(new InetSocketAddress("127.0.0.1", 0), with(pki.serverTls()), t -> { })
                    .get(10, SECONDS);
            URI byName = URI.create("tcp://localhost:" + bound.localAddress().getPort());
            CompletableFuture<Tunnel> f = b.connect(byName, with(pki.clientTls()));
            assertThrows(ExecutionException.class, () -> f.get(20, SECONDS));
        }
    }
}
