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
 * (discards), {@link #HOLD} (accepts and never reads: credit is never returned),
 * {@link #SOURCE} (writes 8 MiB, blocking on writability) and {@link #ENDLESS} (writes until the
 * stream fails, blocking on writability: fills any carrier a peer does not read).
 *
 * <p>Used from the test thread; the application runs on its own daemon pool.
 */
final class AttackedServer implements AutoCloseable {
    static final String TOKEN = "hostile-suite-token";
    static final VmAddress ECHO = VmAddress.parse("[fd00::e]:7");
    static final VmAddress SINK = VmAddress.parse("[fd00::e]:9");
    static final VmAddress HOLD = VmAddress.parse("[fd00::e]:13");
    static final VmAddress SOURCE = VmAddress.parse("[fd00::e]:19");
    static final VmAddress ENDLESS = VmAddress.parse("[fd00::e]:20");
    static final VmAddress NOWHERE = VmAddress.parse("[fd00::dead]:1");
    static final int MAX_STREAMS = 100;
    /**
     * Long enough that the accept-backlog case opens its 64 held carriers and 16 more before the first
     * held one times out, even on a loaded 2-core machine (a few hundred ms when quiet); the slowloris
     * and backlog cases each wait for it once.
     */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(6);
    static final Duration KEEPALIVE_INTERVAL = Duration.ofSeconds(1);
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(4);
    /** Above the 50 carriers of the slowloris case, small enough to reach at once. */
    static final int MAX_PENDING_HANDSHAKES = 64;
    /** Small enough that PING ACKs below the PING rate cap (1,000 in a burst, 17 bytes each) exceed it. */
    static final int MAX_CONTROL_BACKLOG = 8192;

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

    /**
     * The options of the attacked server: defaults but short timeouts, MAX_STREAMS 100, an accept
     * backlog of 64 and an 8 KiB control backlog (so the limits are reachable in a few seconds).
     */
    static TunnelOptions serverOptions() {
        return TunnelOptions.builder().authToken(TOKEN).handshakeTimeout(HANDSHAKE_TIMEOUT)
                .keepaliveInterval(KEEPALIVE_INTERVAL).keepaliveTimeout(KEEPALIVE_TIMEOUT).maxStreams(MAX_STREAMS)
                .maxPendingHandshakes(MAX_PENDING_HANDSHAKES).maxControlBacklogBytes(MAX_CONTROL_BACKLOG).build();
    }

    private static TunnelOptions clientOptions() {
        return TunnelOptions.builder().authToken(TOKEN).keepaliveInterval(KEEPALIVE_INTERVAL)
                .keepaliveTimeout(KEEPALIVE_TIMEOUT).build();
    }

    AttackedServer(Transport serverTransport, Transport clientTransport) throws Exception {
        this.serverTransport = serverTransport;
        this.clientTransport = clientTransport;
        VmServer application = VmServer.builder().listen(ECHO).listen(SINK).listen(HOLD).listen(SOURCE).listen(ENDLESS)
                .acceptor(this::serve).build();
        server = serverTransport.bind(URI.create("tcp://127.0.0.1:0"), serverOptions(), t -> {
            if (t.carrierRemoteAddress() instanceof InetSocketAddress a) {
                CompletableFuture<CloseReason> f = byPeerPort.computeIfAbsent(a.getPort(), k -> new CompletableFuture<>());
                opened.add(a.getPort());
                t.closeFuture().whenComplete((r, e) -> f.complete(r));
            }
            t.install(application);
        }).get(10, TimeUnit.SECONDS);
        good = clientTransport.connect(server.uri(), clientOptions()).get(10, TimeUnit.SECONDS);
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
        } else if (at.equals(ENDLESS)) {
            OutputStream out = c.outputStream();
            app.execute(() -> {
                byte[] chunk = new byte[64 * 1024];
                try (out) {
                    while (true) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    // the only way out: the attacker's tunnel closed
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
     *
     * @return how long it took, in nanoseconds
     */
    long verifiedTransfer(int bytes) throws Exception {
        return verifiedTransfer(good, bytes);
    }

    /**
     * Verified transfers on the well-behaved tunnel, one after another on a thread of their own, until
     * {@link Transfers#stop} (at least one, at most {@code max}): the attack runs meanwhile.
     */
    Transfers transfersDuring(int bytes, int max) {
        Transfers t = new Transfers();
        CompletableFuture.runAsync(() -> {
            try {
                do {
                    t.nanos += verifiedTransfer(bytes);
                    t.bytes += bytes;
                    t.count++;
                } while (!t.stop && t.count < max);
                t.done.complete(null);
            } catch (Throwable e) {
                t.done.completeExceptionally(e);
            }
        }, app);
        return t;
    }

    /** What {@link #transfersDuring} did; read the counters after {@link #done} completed. */
    static final class Transfers {
        volatile boolean stop;
        long bytes;
        long nanos;
        int count;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        /** Bytes per second over the transfers made. */
        double throughput() {
            return nanos == 0 ? 0 : bytes * 1e9 / nanos;
        }
    }

    /** Dials a new tunnel with the client transport, checks it with a verified transfer, and closes it. */
    void newTunnelWorks(int bytes) throws Exception {
        Tunnel t = clientTransport.connect(server.uri(), clientOptions()).get(10, TimeUnit.SECONDS);
        try {
            t.awaitRemoteListen(ECHO).get(10, TimeUnit.SECONDS);
            verifiedTransfer(t, bytes);
        } finally {
            t.close();
        }
    }

    private long verifiedTransfer(Tunnel tunnel, int bytes) throws Exception {
        long t0 = System.nanoTime();
        byte[] data = new byte[bytes];
        synchronized (random) { // the transfers during an attack run on an application thread
            random.nextBytes(data);
        }
        VmConnection c = tunnel.connect(ECHO).get(10, TimeUnit.SECONDS);
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
        return System.nanoTime() - t0;
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
