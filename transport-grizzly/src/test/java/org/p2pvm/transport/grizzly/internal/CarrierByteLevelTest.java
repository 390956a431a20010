package org.p2pvm.transport.grizzly.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOConnectorHandler;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.engine.contract.ClosePeers;
import org.p2pvm.engine.CarrierListener;

/**
 * The carrier at byte level, without the engine: a fake {@link CarrierListener} over real loopback
 * sockets checks reads, gathering writes, writability, inbound backpressure and close.
 */
@Timeout(30)
@SuppressWarnings("rawtypes") // Grizzly's connector hands out raw Connections
class CarrierByteLevelTest {
    private TCPNIOTransport transport;

    @BeforeEach
    void start() throws Exception {
        transport = TCPNIOTransportBuilder.newInstance()
                .setIOStrategy(SameThreadIOStrategy.getInstance())
                .setSelectorRunnersCount(2)
                .setWorkerThreadPoolConfig(null)
                .setMaxAsyncWriteQueueSizeInBytes(64 * 1024)
                .build();
        transport.start();
    }

    @AfterEach
    void stop() throws Exception {
        transport.shutdownNow();
    }

    /** Records what the carrier calls and checks each call's thread and state. */
    static final class FakeEngine implements CarrierListener {
        final CompletableFuture<GrizzlyCarrier> carrier = new CompletableFuture<>();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        /** What had been delivered when onClosed came. */
        volatile byte[] bytesAtClose;
        final AtomicInteger closeCalls = new AtomicInteger();
        final AtomicInteger writableCalls = new AtomicInteger();
        volatile boolean readEnabled = true;
        volatile Consumer<FakeEngine> onEachRead = e -> { };
        volatile Runnable onWritable = () -> { };

        GrizzlyCarrier c() {
            return carrier.join();
        }

        @Override
        public synchronized void onRead(ByteBuffer data) {
            if (!c().inExecutor()) {
                violations.add("onRead off the executor on " + Thread.currentThread().getName());
            }
            if (!readEnabled) {
                violations.add("onRead while reading is off");
            }
            byte[] b = new byte[data.remaining()];
            data.get(b);
            received.write(b, 0, b.length);
            onEachRead.accept(this);
        }

        synchronized byte[] bytes() {
            return received.toByteArray();
        }

        @Override
        public void onWritable() {
            if (!c().inExecutor()) {
                violations.add("onWritable off the executor");
            }
            writableCalls.incrementAndGet();
            onWritable.run();
        }

        @Override
        public void onClosed(Throwable cause) {
            if (!c().inExecutor()) {
                violations.add("onClosed off the executor");
            }
            closeCalls.incrementAndGet();
            bytesAtClose = bytes();
            closed.complete(cause == null ? new NullCause() : cause);
        }

        void setReadEnabled(boolean on) {
            readEnabled = on;
            c().setReadEnabled(on);
        }
    }

    /** Stands for "closed without a cause" in a future that cannot hold null as a distinct value. */
    static final class NullCause extends Throwable {
        NullCause() {
            super(null, null, false, false);
        }
    }

    private TCPNIOServerConnection bindCarrier(FakeEngine engine) throws Exception {
        CarrierBinding binding = carrier -> {
            engine.carrier.complete(carrier);
            return engine;
        };
        TCPNIOServerConnection server = org.glassfish.grizzly.nio.transport.TCPNIOBindingHandler.builder(transport)
                .processor(FilterChainBuilder.stateless().add(new TransportFilter()).add(new CarrierFilter(false, binding)).build())
                .build().bind(new InetSocketAddress("127.0.0.1", 0));
        return server;
    }

    private static Socket dial(TCPNIOServerConnection server) throws Exception {
        Socket s = new Socket();
        s.connect(server.getLocalAddress());
        s.setSoTimeout(20_000);
        return s;
    }

    private static void onExecutor(GrizzlyCarrier c, Runnable r) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        c.executor().execute(() -> {
            try {
                r.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        done.get(10, SECONDS);
    }

    @Test
    void readsReachTheEngineOnTheExecutorAndGatheringWritesReachThePeer() throws Exception {
        FakeEngine engine = new FakeEngine();
        TCPNIOServerConnection server = bindCarrier(engine);
        try (Socket s = dial(server)) {
            GrizzlyCarrier carrier = engine.carrier.get(10, SECONDS);
            assertFalse(carrier.isDialer());
            byte[] payload = "hello carrier".getBytes(StandardCharsets.US_ASCII);
            s.getOutputStream().write(payload);
            s.getOutputStream().flush();
            // gathering write of three buffers; completion on the executor
            CompletableFuture<Throwable> written = new CompletableFuture<>();
            onExecutor(carrier, () -> {
                ByteBuffer[] batch = {
                    ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)),
                    ByteBuffer.allocateDirect(4).put("defg".getBytes(StandardCharsets.US_ASCII)).flip(),
                    ByteBuffer.wrap("hij".getBytes(StandardCharsets.US_ASCII)),
                    ByteBuffer.wrap("NOT SENT".getBytes(StandardCharsets.US_ASCII)),
                };
                carrier.write(batch, 3, failure -> {
                    if (!carrier.inExecutor()) {
                        written.completeExceptionally(new AssertionError("completion off the executor"));
                    }
                    written.complete(failure == null ? new NullCause() : failure);
                });
            });
            assertTrue(written.get(10, SECONDS) instanceof NullCause);
            byte[] echoed = new byte[10];
            new DataInputStream(s.getInputStream()).readFully(echoed);
            assertEquals("abcdefghij", new String(echoed, StandardCharsets.US_ASCII));
            // reads arrive in order; wait until all are there
            while (engine.bytes().length < payload.length) {
                Thread.onSpinWait();
            }
            assertArrayEquals(payload, engine.bytes());
            assertEquals(List.of(), engine.violations);
        } finally {
            transport.unbind(server);
        }
    }

    @Test
    void noReadsWhileReadingIsOffAndEverythingArrivesAfterwards() throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.onEachRead = e -> e.setReadEnabled(false); // backpressure from inside onRead
        TCPNIOServerConnection server = bindCarrier(engine);
        try (Socket s = dial(server)) {
            GrizzlyCarrier carrier = engine.carrier.get(10, SECONDS);
            byte[] all = new byte[256 * 1024];
            for (int i = 0; i < all.length; i++) {
                all[i] = (byte) (i * 31);
            }
            OutputStream out = s.getOutputStream();
            out.write(all, 0, 10);
            out.flush();
            while (engine.bytes().length == 0) {
                Thread.onSpinWait();
            }
            // reading is off now; the rest fits in socket buffers plus what Grizzly read already
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    out.write(all, 10, all.length - 10);
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            // turn reading back on after every read, from an executor task (the engine's way)
            engine.onEachRead = e -> { };
            while (engine.bytes().length < all.length) {
                onExecutor(carrier, () -> engine.setReadEnabled(true));
                onExecutor(carrier, () -> engine.setReadEnabled(false));
                onExecutor(carrier, () -> engine.setReadEnabled(true));
            }
            writer.get(10, SECONDS);
            assertArrayEquals(all, engine.bytes());
            assertEquals(List.of(), engine.violations);
        } finally {
            transport.unbind(server);
        }
    }

    @Test
    void becomesUnwritableWhenThePeerDoesNotReadAndReportsWritableAgain() throws Exception {
        FakeEngine engine = new FakeEngine();
        TCPNIOServerConnection server = bindCarrier(engine);
        try (Socket s = dial(server)) {
            GrizzlyCarrier carrier = engine.carrier.get(10, SECONDS);
            AtomicInteger batches = new AtomicInteger();
            AtomicInteger completions = new AtomicInteger();
            byte[] chunk = new byte[32 * 1024];
            CompletableFuture<Void> unwritable = new CompletableFuture<>();
            onExecutor(carrier, () -> {
                while (carrier.isWritable() && batches.get() < 10_000) {
                    batches.incrementAndGet();
                    carrier.write(new ByteBuffer[] {ByteBuffer.wrap(chunk)}, 1, f -> completions.incrementAndGet());
                }
                if (!carrier.isWritable()) {
                    unwritable.complete(null);
                }
            });
            unwritable.get(10, SECONDS);
            CompletableFuture<Void> writableAgain = new CompletableFuture<>();
            engine.onWritable = () -> {
                if (carrier.isWritable()) {
                    writableAgain.complete(null);
                }
            };
            // drain everything the carrier queued
            long expected = (long) batches.get() * chunk.length;
            InputStream in = s.getInputStream();
            byte[] sink = new byte[65536];
            long got = 0;
            while (got < expected) {
                int n = in.read(sink);
                assertTrue(n > 0);
                got += n;
            }
            writableAgain.get(10, SECONDS);
            assertTrue(engine.writableCalls.get() >= 1);
            onExecutor(carrier, () -> assertEquals(batches.get(), completions.get()));
            assertEquals(List.of(), engine.violations);
        } finally {
            transport.unbind(server);
        }
    }

    @Test
    void peerEofIsAnOrderlyCloseReportedOnce() throws Exception {
        FakeEngine engine = new FakeEngine();
        TCPNIOServerConnection server = bindCarrier(engine);
        try {
            Socket s = dial(server);
            engine.carrier.get(10, SECONDS);
            s.close();
            assertTrue(engine.closed.get(10, SECONDS) instanceof NullCause);
            onExecutor(engine.c(), () -> engine.c().close(true)); // idempotent, no second report
            onExecutor(engine.c(), () -> { });
            assertEquals(1, engine.closeCalls.get());
        } finally {
            transport.unbind(server);
        }
    }

    /**
     * Grizzly 4.0.2 reports a reset read as end of stream ({@code TCPNIOUtils} turns the read's
     * IOException into -1), so the carrier cannot tell a reset from a FIN: the engine sees a carrier
     * closed without GOAWAY either way, which is what matters (streams fail).
     */
    @Test
    void peerResetClosesTheCarrierOnce() throws Exception {
        FakeEngine engine = new FakeEngine();
        TCPNIOServerConnection server = bindCarrier(engine);
        try {
            Socket s = dial(server);
            engine.carrier.get(10, SECONDS);
            s.setSoLinger(true, 0);
            s.close();
            assertNotNull(engine.closed.get(10, SECONDS));
            onExecutor(engine.c(), () -> { });
            assertEquals(1, engine.closeCalls.get());
            assertEquals(List.of(), engine.violations);
        } finally {
            transport.unbind(server);
        }
    }

    @Test
    void closeWithFlushSendsQueuedBytesThenEof() throws Exception {
        FakeEngine engine = new FakeEngine();
        TCPNIOServerConnection server = bindCarrier(engine);
        try (Socket s = dial(server)) {
            GrizzlyCarrier carrier = engine.carrier.get(10, SECONDS);
            byte[] big = new byte[512 * 1024];
            java.util.Arrays.fill(big, (byte) 7);
            onExecutor(carrier, () -> {
                carrier.write(new ByteBuffer[] {ByteBuffer.wrap(big)}, 1, f -> { });
                carrier.close(true);
            });
            byte[] got = s.getInputStream().readAllBytes();
            assertArrayEquals(big, got);
            s.shutdownOutput(); // the carrier's FIN came; it closes once ours comes too (a lingering close)
            assertTrue(engine.closed.get(10, SECONDS) instanceof NullCause);
        } finally {
            transport.unbind(server);
        }
    }

    /**
     * The peer still sends (as an engine sends WINDOW updates) while the carrier closes after a
     * large write: every byte arrives, then EOF, never a reset (a socket closed while receiving
     * answers with RST, which destroys what its kernel had not delivered yet).
     */
    @Test
    void closeWithFlushWhileThePeerStillSendsDeliversEveryByteThenEof() throws Exception {
        FakeEngine engine = new FakeEngine();
        TCPNIOServerConnection server = bindCarrier(engine);
        try (Socket s = dial(server)) {
            GrizzlyCarrier carrier = engine.carrier.get(10, SECONDS);
            byte[] big = ClosePeers.pattern(8 << 20);
            onExecutor(carrier, () -> {
                carrier.write(new ByteBuffer[] {ByteBuffer.wrap(big)}, 1, f -> { });
                carrier.close(true);
            });
            assertEquals(big.length, ClosePeers.readToEofWhileSending(s));
            s.shutdownOutput();
            assertTrue(engine.closed.get(10, SECONDS) instanceof NullCause);
            assertEquals(List.of(), engine.violations);
        } finally {
            transport.unbind(server);
        }
    }

    /** Bytes that arrive right before the peer's FIN (often in the same read) all reach the engine before onClosed. */
    @ParameterizedTest
    @ValueSource(ints = {100, 4 << 20})
    void peerWritesThenClosesEveryByteIsDeliveredBeforeOnClosed(int n) throws Exception {
        FakeEngine engine = new FakeEngine();
        TCPNIOServerConnection server = bindCarrier(engine);
        try {
            Socket s = dial(server);
            engine.carrier.get(10, SECONDS);
            ClosePeers.writeThenClose(s, n);
            assertTrue(engine.closed.get(10, SECONDS) instanceof NullCause);
            assertArrayEquals(ClosePeers.pattern(n), engine.bytesAtClose);
            assertEquals(List.of(), engine.violations);
        } finally {
            transport.unbind(server);
        }
    }

    @Test
    void dialerSideAttachesOnConnect() throws Exception {
        FakeEngine engine = new FakeEngine();
        CarrierBinding binding = carrier -> {
            engine.carrier.complete(carrier);
            carrier.write(new ByteBuffer[] {ByteBuffer.wrap("HELLO".getBytes(StandardCharsets.US_ASCII))}, 1, f -> { });
            return engine;
        };
        try (ServerSocket ss = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<Connection> connected = new CompletableFuture<>();
            TCPNIOConnectorHandler.builder(transport)
                    .processor(FilterChainBuilder.stateless().add(new TransportFilter()).add(new CarrierFilter(true, binding)).build())
                    .build().connect(ss.getLocalSocketAddress(), new EmptyCompletionHandler<Connection>() {
                        @Override
                        public void completed(Connection c) {
                            connected.complete(c);
                        }

                        @Override
                        public void failed(Throwable t) {
                            connected.completeExceptionally(t);
                        }
                    });
            try (Socket peer = ss.accept()) {
                peer.setSoTimeout(20_000);
                assertNotNull(connected.get(10, SECONDS));
                assertTrue(engine.carrier.get(10, SECONDS).isDialer());
                byte[] hello = new byte[5];
                new DataInputStream(peer.getInputStream()).readFully(hello);
                assertEquals("HELLO", new String(hello, StandardCharsets.US_ASCII));
                peer.getOutputStream().write(new byte[] {1, 2, 3});
                while (engine.bytes().length < 3) {
                    Thread.onSpinWait();
                }
                assertArrayEquals(new byte[] {1, 2, 3}, engine.bytes());
            }
            assertNull(engine.violations.isEmpty() ? null : engine.violations);
        }
    }
}
