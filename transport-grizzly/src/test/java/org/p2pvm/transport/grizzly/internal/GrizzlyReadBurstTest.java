package org.p2pvm.transport.grizzly.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOBindingHandler;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.engine.CarrierListener;

/**
 * Read bursts (see {@link GrizzlyCarrier}, "Read bursts"): the control frames an engine produces
 * while reading one burst leave in one carrier write. The engine here is a fake that behaves as the
 * real one's batch writer does: after every read it has one small control frame to send (a WINDOW,
 * say), at most one batch is in flight, and it writes whenever {@code isWritable()} says yes (after a
 * read, a completion or {@code onWritable}).
 *
 * <p>A burst is recognised without timing: after each read the fake posts a marker task to the
 * carrier's executor; a read that comes before the previous read's marker ran belongs to the same
 * burst (the selector thread ran no task between the two reads: the same read event).
 */
@Timeout(30)
class GrizzlyReadBurstTest {
    /** Small reads, so that the peer's one large write is many reads. */
    private static final int READ_BUFFER = 4096;
    private static final int TOTAL = 4 << 20;

    private TCPNIOTransport transport;

    @BeforeEach
    void start() throws Exception {
        transport = TCPNIOTransportBuilder.newInstance()
                .setIOStrategy(SameThreadIOStrategy.getInstance())
                .setSelectorRunnersCount(1)
                .setWorkerThreadPoolConfig(null)
                .build();
        transport.start();
    }

    @AfterEach
    void stop() throws Exception {
        transport.shutdownNow();
    }

    /** The fake engine; every field is touched on the carrier's executor only. */
    static final class BatchingEngine implements CarrierListener {
        final CompletableFuture<GrizzlyCarrier> carrier = new CompletableFuture<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        /** Burst of each control frame not yet written. */
        final ArrayDeque<Integer> pending = new ArrayDeque<>();
        /** Per carrier write: the bursts whose control frames it carried. */
        final List<TreeSet<Integer>> writes = new ArrayList<>();
        /** Reads per burst. */
        final Map<Integer, Integer> readsPerBurst = new HashMap<>();
        long bytesRead;
        int reads;
        int burst;
        boolean markerRan = true;
        boolean inFlight;

        GrizzlyCarrier c() {
            return carrier.join();
        }

        @Override
        public void onRead(ByteBuffer data) {
            if (!c().inExecutor()) {
                violations.add("onRead off the executor");
            }
            bytesRead += data.remaining();
            data.position(data.limit());
            if (markerRan) {
                burst++;
            }
            markerRan = false;
            c().executor().execute(() -> markerRan = true);
            reads++;
            readsPerBurst.merge(burst, 1, Integer::sum);
            pending.add(burst);
            flush();
        }

        @Override
        public void onWritable() {
            flush();
        }

        @Override
        public void onClosed(Throwable cause) {
        }

        private void flush() {
            while (!inFlight && !pending.isEmpty() && c().isWritable()) {
                int n = pending.size();
                ByteBuffer[] batch = new ByteBuffer[n];
                TreeSet<Integer> bursts = new TreeSet<>();
                for (int i = 0; i < n; i++) {
                    int b = pending.poll();
                    bursts.add(b);
                    batch[i] = ByteBuffer.allocate(4).putInt(0, b); // one 4-byte "control frame"
                }
                writes.add(bursts);
                inFlight = true;
                c().write(batch, n, failure -> {
                    if (failure != null) {
                        violations.add("write failed: " + failure);
                    }
                    inFlight = false;
                    flush();
                });
            }
        }
    }

    @Test
    void controlFramesOfOneReadBurstLeaveInOneWrite() throws Exception {
        BatchingEngine engine = new BatchingEngine();
        CarrierBinding binding = carrier -> {
            carrier.connection().setReadBufferSize(READ_BUFFER);
            engine.carrier.complete(carrier);
            return engine;
        };
        TCPNIOServerConnection server = TCPNIOBindingHandler.builder(transport)
                .processor(FilterChainBuilder.stateless().add(new TransportFilter()).add(new CarrierFilter(false, binding)).build())
                .build().bind(new InetSocketAddress("127.0.0.1", 0));
        try (Socket s = new Socket()) {
            s.connect(server.getLocalAddress());
            s.setSoTimeout(20_000);
            GrizzlyCarrier carrier = engine.carrier.get(10, SECONDS);
            s.getOutputStream().write(new byte[TOTAL]); // one write: the socket holds many reads at once
            s.getOutputStream().flush();
            // one 4-byte control frame comes back per read; read them until the fake saw every byte
            DataInputStream in = new DataInputStream(s.getInputStream());
            int controls = 0;
            while (true) {
                int reads = onExecutor(carrier, () -> engine.bytesRead == TOTAL ? engine.reads : -1);
                if (reads >= 0 && controls == reads) {
                    break;
                }
                in.readInt();
                controls++;
            }
            Map<Integer, Integer> writesPerBurst = new HashMap<>();
            int maxReads = onExecutor(carrier, () -> {
                for (TreeSet<Integer> w : engine.writes) {
                    for (int b : w) {
                        writesPerBurst.merge(b, 1, Integer::sum);
                    }
                }
                return engine.readsPerBurst.values().stream().mapToInt(Integer::intValue).max().orElse(0);
            });
            assertEquals(List.of(), engine.violations);
            assertTrue(maxReads > 1, "the carrier read once per read event (no burst had more than one read)");
            assertTrue(maxReads <= GrizzlyCarrier.MAX_READS_PER_BURST, "a burst of " + maxReads + " reads");
            Map<Integer, Integer> split = new HashMap<>(writesPerBurst);
            split.values().removeIf(n -> n == 1);
            assertEquals(Map.of(), split, "bursts whose control frames left in more than one write (burst=writes)");
        } finally {
            transport.unbind(server);
        }
    }

    private static <T> T onExecutor(GrizzlyCarrier c, java.util.function.Supplier<T> s) throws Exception {
        CompletableFuture<T> done = new CompletableFuture<>();
        c.executor().execute(() -> {
            try {
                done.complete(s.get());
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done.get(10, SECONDS);
    }
}
