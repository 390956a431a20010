package org.p2pvm.transport.nio.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.engine.tls.TlsContexts;
import org.p2pvm.spi.TransportConfig;

/**
 * The TLS link at carrier level, against a blocking JDK {@link SSLSocket} peer, with a
 * {@link RecordingListener} instead of the engine: every byte in order through TLS 1.3 KeyUpdates the
 * peer starts mid-stream and records split at arbitrary bytes (a relay that forwards random small
 * pieces), close_notify on a flushing close, and a clear error against a peer that does not speak TLS.
 */
@Timeout(60)
class TlsCarrierTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static SSLContext serverContext;
    static SSLContext clientContext;

    private NioLoopGroup group;
    private final List<AutoCloseable> closeables = new java.util.ArrayList<>();

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create(dir);
        serverContext = TlsContexts.context(pki.serverTls());
        clientContext = TlsContexts.context(pki.clientTls());
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        if (group != null) {
            group.shutdown().get(10, SECONDS);
        }
    }

    @ParameterizedTest(name = "{0}, relay={1}")
    @CsvSource({"TLSv1.3, false", "TLSv1.3, true", "TLSv1.2, false", "TLSv1.2, true"})
    void echo_everyByteInOrder_throughKeyUpdatesAndSplitRecords(String protocol, boolean relay) throws Exception {
        int total = 1 << 20;
        SSLServerSocket server = serverSocket(protocol);
        AtomicReference<Throwable> peerFailure = new AtomicReference<>();
        AtomicInteger keyUpdates = new AtomicInteger();
        Thread peer = new Thread(() -> {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                byte[] buf = new byte[7000];
                long echoed = 0;
                long nextUpdate = 64 * 1024;
                while (echoed < total) {
                    int n = in.read(buf);
                    if (n < 0) {
                        throw new IOException("EOF after " + echoed);
                    }
                    out.write(buf, 0, n);
                    echoed += n;
                    if (echoed >= nextUpdate && s.getSession().getProtocol().equals("TLSv1.3")) {
                        s.startHandshake(); // TLS 1.3: a KeyUpdate asking the carrier to update too
                        keyUpdates.incrementAndGet();
                        nextUpdate += 64 * 1024;
                    }
                }
                out.flush();
                in.read(); // until the carrier closes
            } catch (Throwable t) {
                peerFailure.set(t);
            }
        }, "tls-peer");
        peer.setDaemon(true);
        peer.start();
        InetSocketAddress target = (InetSocketAddress) server.getLocalSocketAddress();
        if (relay) {
            target = new SplittingRelay(target).address();
        }
        Fixture f = carrier(target, protocol, TransportConfig.defaults());
        byte[] data = new byte[total];
        new Random(7).nextBytes(data);
        CompletableFuture<Void> all = f.listener.awaitBytesOnLoop(f, total);
        AtomicInteger done = new AtomicInteger();
        f.onLoop(() -> {
            // 64 gathering batches of 4 buffers each
            int chunk = total / 256;
            for (int b = 0; b < 64; b++) {
                ByteBuffer[] bufs = new ByteBuffer[4];
                for (int i = 0; i < 4; i++) {
                    bufs[i] = ByteBuffer.wrap(data, (b * 4 + i) * chunk, chunk);
                }
                f.carrier.write(bufs, 4, err -> {
                    if (err == null) {
                        done.incrementAndGet();
                    }
                });
            }
            return null;
        });
        all.get(30, SECONDS);
        assertArrayEquals(data, f.listener.received.toByteArray());
        assertEquals(64, done.get());
        if (protocol.equals("TLSv1.3")) {
            assertTrue(keyUpdates.get() >= 10, "key updates: " + keyUpdates.get());
        }
        f.onLoop(() -> {
            f.carrier.close(true);
            return null;
        });
        peer.join(10_000);
        assertNull(peerFailure.get(), () -> "peer failed: " + peerFailure.get());
        assertNull(f.listener.closed.get(10, SECONDS));
        f.assertSane();
    }

    @Test
    void flushingClose_sendsCloseNotifyThenFin() throws Exception {
        SSLServerSocket server = serverSocket("TLSv1.3");
        CompletableFuture<String> peerSaw = new CompletableFuture<>();
        Thread peer = new Thread(() -> {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                byte[] buf = new byte[100];
                int n = s.getInputStream().readNBytes(buf, 0, 5);
                int eof = s.getInputStream().read(); // -1 only after close_notify; a bare FIN throws
                peerSaw.complete(new String(buf, 0, n, StandardCharsets.US_ASCII) + "|" + eof);
                s.close(); // our close_notify back, and FIN: the carrier's lingering close ends
            } catch (Throwable t) {
                peerSaw.completeExceptionally(t);
            }
        }, "tls-peer");
        peer.setDaemon(true);
        peer.start();
        Fixture f = carrier((InetSocketAddress) server.getLocalSocketAddress(), "TLSv1.3", TransportConfig.defaults());
        f.onLoop(() -> {
            f.carrier.write(new ByteBuffer[] {ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII))}, 1,
                    err -> { });
            f.carrier.close(true);
            return null;
        });
        assertEquals("hello|-1", peerSaw.get(10, SECONDS));
        assertNull(f.listener.closed.get(10, SECONDS), "a clean close");
        f.assertSane();
    }

    @Test
    void plaintextPeer_failsTheHandshakeWithAClearError() throws Exception {
        ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        closeables.add(server);
        Thread peer = new Thread(() -> {
            try (Socket s = server.accept()) {
                s.getOutputStream().write("P2PVM plaintext hello, not TLS at all\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getInputStream().read(new byte[1024]);
            } catch (IOException e) {
                // the carrier hung up
            }
        }, "plain-peer");
        peer.setDaemon(true);
        peer.start();
        Fixture f = carrier((InetSocketAddress) server.getLocalSocketAddress(), "TLSv1.3", TransportConfig.defaults());
        Throwable cause = f.listener.closed.get(10, SECONDS);
        assertNotNull(cause);
        assertTrue(cause.getMessage().contains("does not speak TLS"), cause.getMessage());
        f.assertSane();
    }

    private SSLServerSocket serverSocket(String protocol) throws IOException {
        SSLServerSocket s = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        s.setEnabledProtocols(new String[] {protocol});
        closeables.add(s);
        return s;
    }

    private Fixture carrier(InetSocketAddress target, String protocol, TransportConfig config) throws Exception {
        NioSettings settings = NioSettings.of(config);
        group = new NioLoopGroup(1, "tls-carrier-test", settings.readBufferSize(), true);
        NioLoop loop = group.loops().get(0);
        SocketChannel ch = SocketChannel.open(target);
        NioSockets.configure(ch, settings);
        RecordingListener listener = new RecordingListener(loop);
        TlsOptions options = TlsOptions.builder().pemKey(pki.clientCert, pki.clientKey)
                .trustedCertificates(pki.caCert).protocols(List.of(protocol)).build();
        Fixture f = new Fixture(loop, listener);
        f.carrier = f.onLoop(() -> {
            SSLEngine engine = TlsContexts.engine(clientContext, options, true, "127.0.0.1", target.getPort());
            NioCarrier c = NioCarrier.open(loop, ch, true, settings, engine);
            c.attach(listener);
            return c;
        });
        return f;
    }

    /** The carrier side: its loop, carrier and recording listener. */
    static final class Fixture {
        final NioLoop loop;
        final RecordingListener listener;
        NioCarrier carrier;

        Fixture(NioLoop loop, RecordingListener listener) {
            this.loop = loop;
            this.listener = listener;
        }

        <T> T onLoop(java.util.concurrent.Callable<T> task) throws Exception {
            CompletableFuture<T> r = new CompletableFuture<>();
            loop.execute(() -> {
                try {
                    r.complete(task.call());
                } catch (Throwable t) {
                    r.completeExceptionally(t);
                }
            });
            return r.get(10, SECONDS);
        }

        void assertSane() {
            assertNull(listener.violation, listener.violation);
        }
    }

    /**
     * Forwards both directions in random pieces of 1..700 bytes (the first 8 KiB byte by byte, which
     * splits every handshake message), so TLS records reach the carrier cut at arbitrary bytes.
     */
    final class SplittingRelay {
        private final ServerSocket listen;

        SplittingRelay(InetSocketAddress target) throws IOException {
            listen = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
            closeables.add(listen);
            Thread t = new Thread(() -> {
                try {
                    Socket a = listen.accept();
                    Socket b = new Socket(target.getAddress(), target.getPort());
                    a.setTcpNoDelay(true);
                    b.setTcpNoDelay(true);
                    closeables.add(a);
                    closeables.add(b);
                    pump(a, b, 1);
                    pump(b, a, 2);
                } catch (IOException e) {
                    // closed by the test
                }
            }, "relay-accept");
            t.setDaemon(true);
            t.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) listen.getLocalSocketAddress();
        }

        private void pump(Socket from, Socket to, long seed) {
            Thread t = new Thread(() -> {
                Random r = new Random(seed);
                byte[] buf = new byte[700];
                long moved = 0;
                try {
                    InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream();
                    for (;;) {
                        int want = moved < 8192 ? 1 : 1 + r.nextInt(buf.length);
                        int n = in.read(buf, 0, want);
                        if (n < 0) {
                            to.shutdownOutput();
                            return;
                        }
                        out.write(buf, 0, n);
                        out.flush();
                        moved += n;
                    }
                } catch (IOException e) {
                    // one side closed
                }
            }, "relay-pump");
            t.setDaemon(true);
            t.start();
        }
    }
}
