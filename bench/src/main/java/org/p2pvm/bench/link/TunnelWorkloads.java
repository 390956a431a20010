package org.p2pvm.bench.link;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.p2pvm.ErrorCode;
import org.p2pvm.VmConnection;

/**
 * The tunnel side of the message scenarios, driven from the scenario thread; per-stream logic runs on
 * the tunnel's executor. Every method returns once its measurement is over and its streams are
 * closed or reset.
 */
public final class TunnelWorkloads {
    /** 64-byte request, shared and read-only; each write uses a fresh view. */
    private static final ByteBuffer MSG = ByteBuffer.allocateDirect(64);

    private TunnelWorkloads() {
    }

    /** Bulk: {@code streams} pumps of {@code bytesPerStream} each, to the sink; returns seconds until all acknowledged. */
    public static double bulk(TunnelLink link, int streams, long bytesPerStream) throws Exception {
        long t0 = System.nanoTime();
        List<CompletableFuture<Void>> all = new ArrayList<>(streams);
        for (int i = 0; i < streams; i++) {
            all.add(Pump.toSink(link, bytesPerStream).done());
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Request/response: each of {@code streams} sends 64 B to the echo and waits for it; returns messages/s. */
    public static double requestResponse(TunnelLink link, int streams, Duration warmup, Duration measure)
            throws Exception {
        AtomicLong count = new AtomicLong();
        List<PingPong> ps = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            VmConnection c = link.client().open(BenchServers.ECHO, null);
            PingPong p = new PingPong(c, count, null);
            c.setHandler(p);
            ps.add(p);
            p.send();
        }
        double rate = measureRate(count, warmup, measure);
        for (PingPong p : ps) {
            p.connection.reset(ErrorCode.CANCELLED);
        }
        return rate;
    }

    /** Sequential 64 B pings on one stream, recording each round trip in {@code histogram} (ns). */
    public static PingPong pinger(TunnelLink link, Histogram histogram) {
        VmConnection c = link.client().open(BenchServers.ECHO, null);
        PingPong p = new PingPong(c, new AtomicLong(), histogram);
        c.setHandler(p);
        return p;
    }

    /** Open + first byte + close with {@code concurrency} streams in flight; returns streams/s. */
    public static double openClose(TunnelLink link, int concurrency, Duration warmup, Duration measure)
            throws Exception {
        AtomicLong count = new AtomicLong();
        OpenClose oc = new OpenClose(link, count);
        for (int i = 0; i < concurrency; i++) {
            oc.next();
        }
        double rate = measureRate(count, warmup, measure);
        oc.stop = true;
        return rate;
    }

    /** Events per second of {@code count} over {@code measure}, after {@code warmup}. */
    public static double measureRate(AtomicLong count, Duration warmup, Duration measure) throws InterruptedException {
        TimeUnit.NANOSECONDS.sleep(warmup.toNanos());
        long c0 = count.get();
        long t0 = System.nanoTime();
        TimeUnit.NANOSECONDS.sleep(measure.toNanos());
        long c1 = count.get();
        return (c1 - c0) / ((System.nanoTime() - t0) / 1e9);
    }

    /** One stream's ping-pong loop (handler on the tunnel executor). */
    public static final class PingPong implements VmConnection.Handler {
        final VmConnection connection;
        private final AtomicLong count;
        private final Histogram histogram;
        private int got;
        private long sentAt;
        private volatile boolean stopped;

        PingPong(VmConnection connection, AtomicLong count, Histogram histogram) {
            this.connection = connection;
            this.count = count;
            this.histogram = histogram;
        }

        /** Sends the next request (any thread the first time, then the executor). */
        public void send() {
            sentAt = System.nanoTime();
            connection.write(MSG.duplicate().clear(), null);
        }

        /** Stops after the round trip in flight and resets the stream. */
        public void stop() {
            stopped = true;
            connection.reset(ErrorCode.CANCELLED);
        }

        @Override
        public void onData(VmConnection c, ByteBuffer data) {
            got += data.remaining();
            data.position(data.limit());
            while (got >= 64) {
                got -= 64;
                if (histogram != null) {
                    histogram.recordValue(Math.min(histogram.getHighestTrackableValue(), System.nanoTime() - sentAt));
                }
                count.incrementAndGet();
                if (!stopped) {
                    send();
                }
            }
        }
    }

    /** Keeps streams cycling through open, one byte each way, FIN both ways. */
    private static final class OpenClose {
        private final TunnelLink link;
        private final AtomicLong count;
        volatile boolean stop;

        OpenClose(TunnelLink link, AtomicLong count) {
            this.link = link;
            this.count = count;
        }

        void next() {
            if (stop || !link.client().isOpen()) {
                return;
            }
            VmConnection c = link.client().open(BenchServers.ECHO, null);
            c.setHandler(new VmConnection.Handler() {
                @Override
                public void onData(VmConnection conn, ByteBuffer data) {
                    data.position(data.limit());
                }

                @Override
                public void onClosed(VmConnection conn, Throwable failure) {
                    if (failure == null) {
                        count.incrementAndGet();
                    }
                    next();
                }
            });
            c.write(BenchServers.oneByte(), null);
            c.shutdownOutput();
        }
    }
}
