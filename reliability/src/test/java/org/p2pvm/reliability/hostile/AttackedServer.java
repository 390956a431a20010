package org.p2pvm.reliability.hostile;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.p2pvm.CloseReason;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;

/**
 * The server under attack: a real transport bound on loopback, serving a small VM application, and
 * one well-behaved tunnel to it (dialled with the same transport) that must keep working through
 * every attack. The application: {@link #ECHO} (echoes a stream back after its FIN), {@link #SINK}
 * (discards), {@link #HOLD} (accepts and never reads: credit is never returned) and
 * {@link #SOURCE} (writes 8 MiB, blocking on writability).
 *
 * <p>Used from the test thread; the application runs on its own daemon pool.
 */
final class AttackedServer implements AutoCloseable {
    static final String TOKEN = "hostile-suite-token";
    static final VmAddress ECHO = VmAddress.parse("[fd00::e]:7");
    static final VmAddress SINK = VmAddress.parse("[fd00::e]:9");
    static final VmAddress HOLD = VmAddress.parse("[fd00::e]:13");
    static final VmAddress SOURCE = VmAddress.parse("[fd00::e]:19");
    static final VmAddress NOWHERE = VmAddress.parse("[fd00::dead]:1");
    static final int MAX_STREAMS = 100;
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(1);
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(4);

    private final Transport serverTransport;
    private final Transport clientTransport;
    private final TransportServer server;
    private final Tunnel good;
    private final ExecutorService app = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-suite-app");
        t.setDaemon(true);
        return t;
    });
    private final Map<Integer, CompletableFuture<CloseReason>> byPeerPort = new ConcurrentHashMap<>();
    private final java.util.Set<Integer> opened = ConcurrentHashMap.newKeySet();
    private final SplittableRandom random = new SplittableRandom(8);

    /** The options of the attacked server: defaults but short timeouts and MAX_STREAMS 100. */
    static TunnelOptions serverOptions() {
        return TunnelOptions.builder().authToken(TOKEN).handshakeTimeout(HANDSHAKE_TIMEOUT)
                .keepaliveInterval(KEEPALIVE_INTERVAL).keepaliveTimeout(KEEPALIVE_TIMEOUT).maxStreams(MAX_STREAMS).build();
    }

    AttackedServer(Transport serverTransport, Transport clientTransport) throws Exception {
        this.serverTransport = serverTransport;
        this.clientTransport = clientTransport;
        VmServer application = VmServer.builder().listen(ECHO).listen(SINK).listen(HOLD).listen(SOURCE)
                .acceptor(this::serve).build();
        server = serverTransport.bind(URI.create("tcp://127.0.0.1:0"), serverOptions(), t -> {
            if (t.carrierRemoteAddress() instanceof InetSocketAddress a) {
                CompletableFuture<CloseReason> f = byPeerPort.computeIfAbsent(a.getPort(), k -> new CompletableFuture<>());
                opened.add(a.getPort());
                t.closeFuture().whenComplete((r, e) -> f.complete(r));
            }
            t.install(application);
        }).get(10, TimeUnit.SECONDS);
        good = clientTransport.connect(server.uri(), TunnelOptions.builder().authToken(TOKEN)
                .keepaliveInterval(KEEPALIVE_INTERVAL).keepaliveTimeout(KEEPALIVE_TIMEOUT).build()).get(10, TimeUnit.SECONDS);
        good.awaitRemoteListen(ECHO).get(10, TimeUnit.SECONDS);
    }

    InetSocketAddress address() {
        return server.localAddress();
    }

    Tunnel goodTunnel() {
        return good;
    }

    /**
     * The close of the server's tunnel whose carrier comes from {@code peerPort}; completes when that
     * tunnel (opened now or later) closes.
     */
    CompletableFuture<CloseReason> serverTunnelClose(int peerPort) {
        return byPeerPort.computeIfAbsent(peerPort, k -> new CompletableFuture<>());
    }

    /** Whether the server's tunnel from {@code peerPort} has opened (completed its handshake). */
    boolean opened(int peerPort) {
        return opened.contains(peerPort);
    }

    void forget(int peerPort) {
        byPeerPort.remove(peerPort);
        opened.remove(peerPort);
    }

    private void serve(VmConnection c) {
        VmAddress at = c.localAddress();
        if (at.equals(SINK)) {
            c.setHandler((conn, data) -> { });
        } else if (at.equals(HOLD)) {
            c.setHandler((conn, data) -> { });
            c.pauseReading();
        } else if (at.equals(ECHO)) {
            InputStream in = c.inputStream();
            OutputStream out = c.outputStream();
            app.execute(() -> {
                try (in; out) {
                    out.write(in.readAllBytes());
                } catch (IOException e) {
                    // the tunnel died: the stream's failure is the test's business
                }
            });
        } else if (at.equals(SOURCE)) {
            OutputStream out = c.outputStream();
            app.execute(() -> {
                byte[] chunk = new byte[64 * 1024];
                try (out) {
                    for (int i = 0; i < 128; i++) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    // expected when the attacker goes away
                }
            });
        }
    }

    /**
     * A transfer on the well-behaved tunnel: {@code bytes} random bytes to ECHO and back, SHA-256
     * compared. Throws if the tunnel no longer works.
     */
    void verifiedTransfer(int bytes) throws Exception {
        byte[] data = new byte[bytes];
        random.nextBytes(data);
        VmConnection c = good.connect(ECHO).get(10, TimeUnit.SECONDS);
        CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = c.inputStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, app);
        try (OutputStream out = c.outputStream()) {
            out.write(data);
        }
        byte[] got = back.get(20, TimeUnit.SECONDS);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        if (!Arrays.equals(sha.digest(data), MessageDigest.getInstance("SHA-256").digest(got))) {
            throw new AssertionError("the well-behaved tunnel's echo came back different: " + got.length + " of "
                    + bytes + " bytes");
        }
    }

    @Override
    public void close() throws Exception {
        try {
            good.close();
            server.closeAsync().get(10, TimeUnit.SECONDS);
        } finally {
            clientTransport.close();
            if (serverTransport != clientTransport) {
                serverTransport.close();
            }
            app.shutdownNow();
        }
    }
}
