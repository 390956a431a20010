package org.p2pvm.reliability.tls;

import static java.util.concurrent.TimeUnit.SECONDS;

import io.netty.util.ResourceLeakDetector;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.p2pvm.TlsOptions;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;

/**
 * TLS vs plaintext throughput per transport (nio, netty, grizzly, websocket): one stream carries {@code p2pvm.tls.bench.mib} MiB
 * (default 256) over loopback into a sink that counts bytes; plain and TLS runs of every transport
 * are interleaved in the same JVM, {@code p2pvm.tls.bench.rounds} rounds (default 3), after one
 * warm-up round. Prints the median MiB/s per transport and mode, and whether netty-tcnative
 * (OpenSSL) is on the class path. Not a regular test: runs only when asked,
 * <pre>
 * mvn -B -o -pl reliability -am verify -Dtest=TlsThroughputBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dp2pvm.tls.bench=true [-Dp2pvm.tls.bench.mib=256] [-Dp2pvm.tls.bench.rounds=3] \
 *     [-Dp2pvm.tls.bench.leakDetection=SIMPLE]
 * </pre>
 * (surefire passes {@code -D} system properties through), or from its {@link #main}.
 */
class TlsThroughputBench {
    private static final VmAddress SINK = VmAddress.parse("[::5]:9");
    private static final int CHUNK = 64 * 1024;

    @Test
    @EnabledIfSystemProperty(named = "p2pvm.tls.bench", matches = "true")
    void measure() throws Exception {
        main(new String[0]);
    }

    public static void main(String[] args) throws Exception {
        int mib = Integer.getInteger("p2pvm.tls.bench.mib", 256);
        int rounds = Integer.getInteger("p2pvm.tls.bench.rounds", 3);
        TestPki pki = TlsTestSupport.pki("p2pvm-tls-bench");
        // this package's tests track every Netty buffer (PARANOID, see NettyLeakRecorder), which records
        // a stack trace on each buffer access and cut netty's TLS throughput by half or more; measure at
        // Netty's default level, what an application gets, unless asked otherwise
        ResourceLeakDetector.Level leakLevel = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.valueOf(
                System.getProperty("p2pvm.tls.bench.leakDetection", "SIMPLE").toUpperCase(java.util.Locale.ROOT)));
        try {
            measure(pki, mib, rounds);
        } finally {
            ResourceLeakDetector.setLevel(leakLevel);
        }
    }

    private static void measure(TestPki pki, int mib, int rounds) throws Exception {
        List<String> names = new ArrayList<>();
        List<String> all = new ArrayList<>(TlsTestSupport.TCP_TRANSPORTS);
        all.add("websocket"); // ws:// vs wss:// (the tcp:// bind shorthand becomes wss:// with TLS)
        for (String n : all) {
            if (TlsTestSupport.present(n)) {
                names.add(n);
            } else {
                System.out.println("# " + TlsTestSupport.absent(n));
            }
        }
        if (names.contains("netty") && tcnativePresent()) {
            names.add(names.indexOf("netty") + 1, TlsTestSupport.NETTY_OPENSSL);
        }
        Map<String, List<Double>> results = new LinkedHashMap<>();
        Map<String, Transport[]> transports = new LinkedHashMap<>();
        for (String n : names) {
            transports.put(n, new Transport[] {TlsTestSupport.transport(n, "bench-a-" + n),
                TlsTestSupport.transport(n, "bench-d-" + n)});
        }
        try {
            for (int r = -1; r < rounds; r++) {
                for (String n : names) {
                    for (boolean tls : new boolean[] {false, true}) {
                        double v = run(transports.get(n)[0], transports.get(n)[1], tls ? pki : null, mib);
                        if (r >= 0) {
                            results.computeIfAbsent(n + (tls ? " tls" : " plain"), k -> new ArrayList<>()).add(v);
                        }
                    }
                }
            }
        } finally {
            for (Transport[] t : transports.values()) {
                t[1].close();
                t[0].close();
            }
        }
        System.out.println("# one stream, " + mib + " MiB per run, loopback, " + rounds + " interleaved rounds, "
                + "median MiB/s; JDK " + System.getProperty("java.version") + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs; Netty leak detection "
                + ResourceLeakDetector.getLevel());
        System.out.println("# netty-tcnative (OpenSSL) on the class path: " + tcnativePresent());
        for (Map.Entry<String, List<Double>> e : results.entrySet()) {
            List<Double> v = new ArrayList<>(e.getValue());
            v.sort(Double::compare);
            System.out.printf("%-14s %8.1f MiB/s   (runs: %s)%n", e.getKey(), v.get(v.size() / 2), e.getValue());
        }
    }

    static boolean tcnativePresent() {
        try {
            return io.netty.handler.ssl.OpenSsl.isAvailable(); // loads the native library, not just the classes
        } catch (LinkageError e) {
            return false;
        }
    }


    /** One run: a fresh tunnel, {@code mib} MiB on one stream; MiB/s from the first write to the sink's FIN. */
    private static double run(Transport acceptor, Transport dialer, TestPki pki, int mib) throws Exception {
        long total = (long) mib << 20;
        AtomicLong received = new AtomicLong();
        CompletableFuture<Long> done = new CompletableFuture<>();
        TunnelOptions serverOptions = TlsTestSupport.options(pki == null ? null : pki.serverTls());
        TunnelOptions clientOptions = TlsTestSupport.options(pki == null ? null : pki.clientTlsWithoutCertificate());
        TransportServer server = acceptor.bind(TlsTestSupport.BIND, serverOptions, t -> t.install(VmServer.listen(SINK,
                conn -> conn.setHandler(new VmConnection.Handler() {
                    @Override
                    public void onData(VmConnection c, ByteBuffer data) {
                        received.addAndGet(data.remaining());
                        data.position(data.limit());
                    }

                    @Override
                    public void onInputShutdown(VmConnection c) {
                        done.complete(System.nanoTime());
                        c.shutdownOutput();
                    }
                })))).get(30, SECONDS);
        try {
            Tunnel tunnel = dialer.connect(server.uri(), clientOptions).get(30, SECONDS);
            tunnel.awaitRemoteListen(SINK).get(30, SECONDS);
            VmConnection c = tunnel.connect(SINK).get(30, SECONDS);
            byte[] chunk = new byte[CHUNK];
            new java.util.Random(1).nextBytes(chunk);
            long start = System.nanoTime();
            try (OutputStream out = c.outputStream()) {
                for (long sent = 0; sent < total; sent += CHUNK) {
                    out.write(chunk);
                }
            }
            long end = done.get(300, SECONDS);
            if (received.get() != total) {
                throw new IllegalStateException("sink got " + received.get() + " of " + total + " bytes");
            }
            tunnel.close();
            tunnel.closeFuture().get(30, SECONDS);
            return (total / 1048576.0) / ((end - start) / 1e9);
        } finally {
            server.closeAsync().get(30, SECONDS);
        }
    }
}
