package org.p2pvm.reliability.tls;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.Transports;

/**
 * Shared pieces of the TLS reliability tests: run-time PKIs, which TCP transports are on the class
 * path, an echo service, and the text of a failure's whole cause chain. Stateless.
 */
final class TlsTestSupport {
    /** The TCP transports that take {@code tcp://} URIs and TLS from {@link TunnelOptions#tls()}. */
    static final List<String> TCP_TRANSPORTS = List.of("nio", "netty", "grizzly");
    static final VmAddress ECHO = VmAddress.parse("[::7]:7");
    static final URI BIND = URI.create("tcp://127.0.0.1:0");

    static {
        // before any test of this package touches Netty, so its buffer leak detector is ours
        NettyLeakRecorder.install();
    }

    private TlsTestSupport() {
    }

    /**
     * Whether {@code name} is registered: for the throughput bench's list only; the tests get their
     * transports unconditionally, as all are dependencies of this module.
     */
    static boolean present(String name) {
        return Transports.names().contains(name);
    }

    static String absent(String name) {
        return "transport '" + name + "' is not on the class path of this build (not merged yet): skipped";
    }

    /**
     * A transport with one I/O thread. netty uses the JDK engine like the others (netty-tcnative is on
     * this module's class path for the throughput bench only); the pseudo-name {@code netty-openssl} is
     * netty on its OpenSSL engine.
     */
    static Transport transport(String name, String threadPrefix) {
        boolean openssl = name.equals(NETTY_OPENSSL);
        return Transports.get(openssl ? "netty" : name, TransportConfig.builder().ioThreads(1)
                .threadNamePrefix(threadPrefix).property("netty.tls.provider", openssl ? "openssl" : "jdk").build());
    }

    /** netty with {@code netty.tls.provider=openssl}. */
    static final String NETTY_OPENSSL = "netty-openssl";

    static TestPki pki(String prefix, String... serverNames) {
        try {
            Path dir = Files.createTempDirectory(prefix);
            return TestPki.create(dir, serverNames);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test PKI", e);
        }
    }

    static TunnelOptions options(TlsOptions tls) {
        return TunnelOptions.builder().authToken("tls-reliability").handshakeTimeout(Duration.ofSeconds(5)).tls(tls)
                .build();
    }

    /** Echoes every byte and half-closes after the peer's FIN. */
    static VmServer echoServer() {
        return VmServer.listen(ECHO, conn -> conn.setHandler(new VmConnection.Handler() {
            @Override
            public void onData(VmConnection c, ByteBuffer data) {
                ByteBuffer copy = ByteBuffer.allocate(data.remaining());
                copy.put(data).flip();
                c.write(copy);
            }

            @Override
            public void onInputShutdown(VmConnection c) {
                c.shutdownOutput();
            }
        }));
    }

    /** Sends {@code bytes} random bytes through the echo service and checks every byte that comes back. */
    static void roundTrip(Tunnel tunnel, int bytes, long seed) throws Exception {
        tunnel.awaitRemoteListen(ECHO).get(30, SECONDS);
        VmConnection c = tunnel.connect(ECHO).get(30, SECONDS);
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        Thread writer = new Thread(() -> {
            try (OutputStream out = c.outputStream()) {
                out.write(data);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "tls-echo-writer");
        writer.setDaemon(true);
        writer.start();
        byte[] got;
        try (InputStream in = c.inputStream()) {
            got = in.readAllBytes();
        }
        writer.join(30_000);
        assertArrayEquals(data, got, "echoed bytes");
    }

    /** Every message of the chain, lower case, for "does the error say what failed" checks. */
    static String chainText(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            sb.append(c.getClass().getName()).append(": ").append(c.getMessage()).append(" | ");
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    static Throwable unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
