package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/** The netty carrier with TLS from {@link TunnelOptions#tls()}: tunnels run inside TLS; bad trust fails. */
@Timeout(30)
class NettyTlsTest {
    private static final VmAddress ECHO = VmAddress.parse("[::99]:7");

    @Test
    void tunnelOverTlsWithClientCertificates(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "localhost", "127.0.0.1");
        TunnelOptions server = TunnelOptions.builder().authToken("t").tls(pki.serverTls(TlsOptions.ClientAuth.REQUIRED)).build();
        TunnelOptions client = TunnelOptions.builder().authToken("t").tls(pki.clientTls()).build();
        try (Transport s = Transports.get("netty"); Transport c = Transports.get("netty")) {
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

    @Test
    void aClientThatDoesNotTrustTheServerFails(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir.resolve("a"), "localhost", "127.0.0.1");
        TestPki other = TestPki.create(dir.resolve("b"), "localhost", "127.0.0.1");
        TunnelOptions server = TunnelOptions.builder().tls(pki.serverTls()).build();
        TunnelOptions client = TunnelOptions.builder().tls(other.clientTlsWithoutCertificate()).build();
        try (Transport s = Transports.get("netty"); Transport c = Transports.get("netty")) {
            TransportServer bound = s.bind(URI.create("tcp://127.0.0.1:0"), server, t -> { }).get(10, SECONDS);
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> c.connect(bound.uri(), client).get(10, SECONDS));
            assertTrue(e.getCause() instanceof java.io.IOException, e.getCause().toString());
        }
    }
}
