package org.p2pvm.transport.nio.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.engine.contract.ClosePeers;

/**
 * The carrier on real loopback sockets, without the engine: a {@link RecordingListener} plays the
 * engine and a blocking socket plays the peer.
 */
@Timeout(60)
class NioCarrierTest {

    /**
     * Writes like the engine does: batches while the carrier is writable, more on onWritable;
     * checks that completions come in order, never inside write, with every buffer consumed.
     */
    private static final class Pump {
        final NioCarrier carrier;
        final long total;
        final Random random = new Random(42);
        final CompletableFuture<Void> allWritten = new CompletableFuture<>();
        final int maxBuffers;
        long offset;
        int issued;
        int completed;
        boolean inWrite;

        Pump(NioCarrier carrier, long total, int maxBuffers) {
            this.carrier = carrier;
            this.total = total;
            this.maxBuffers = maxBuffers;
        }

        void pump() {
            while (offset < total && carrier.isWritable()) {
                ByteBuffer[] batch = Patterns.batch(offset, 1 + random.nextInt(maxBuffers), 8192, random);
                long n = Patterns.remaining(batch);
                int id = issued++;
                offset += n;
                inWrite = true;
                carrier.write(batch, batch.length, failure -> done(id, failure, batch));
                inWrite = false;
            }
        }

        private void done(int id, Throwable failure, ByteBuffer[] batch) {
            if (inWrite) {
                allWritten.completeExceptionally(new AssertionError("completion called inside write"));
            } else if (id != completed) {
                allWritten.completeExceptionally(new AssertionError("batch " + id + " completed before " + completed));
            } else if (failure != null) {
                allWritten.completeExceptionally(failure);
            } else if (Patterns.remaining(batch) != 0) {
                allWritten.completeExceptionally(new AssertionError("batch " + id + " completed with bytes left"));
            }
            completed++;
            if (offset >= total && completed == issued) {
                allWritten.complete(null);
            }
        }
    }

    @Test
    void largeGatheringBatchesGoOutInOrderWhileThePeerWritesBack() throws Exception {
        long out = 24L << 20;
        long in = 8L << 20;
        try (CarrierFixture f = CarrierFixture.open()) {
            Pump pump = new Pump(f.carrier, out, 400);
            f.listener.onWritableHook = pump::pump;
            CompletableFuture<Void> peerRead = CompletableFuture.runAsync(() -> {
                try {
                    Patterns.readAndVerify(f.peerIn(), 0, out);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            CompletableFuture<Void> received = f.onLoop(() -> f.listener.awaitBytes(in));
            f.onLoopRun(pump::pump);
            Patterns.write(f.peerOut(), 0, in);

            pump.allWritten.get(30, SECONDS);
            peerRead.get(30, SECONDS);
            received.get(30, SECONDS);
            byte[] got = f.onLoop(() -> f.listener.received.toByteArray());
            assertEquals(in, got.length);
            Patterns.verify(got);
            assertEquals(0L, (long) f.onLoop(f.carrier::queuedBytes));
            assertEquals(SelectionKey.OP_READ, (int) f.onLoop(f.carrier::interestOps), "OP_WRITE cleared once drained");
            assertTrue(f.onLoop(f.carrier::isWritable));
            f.assertListenerSane();
        }
    }

    @Test
    void slowReaderMakesTheCarrierUnwritableThenOnWritableWhenDrained() throws Exception {
        int high = 64 * 1024;
        try (CarrierFixture f = CarrierFixture.openSmall(high)) {
            CompletableFuture<Void> writable = new CompletableFuture<>();
            f.listener.onWritableHook = () -> writable.complete(null);
            List<Throwable> failures = new ArrayList<>();
            int[] completions = {0};
            // the peer does not read: write 16 KiB batches until the carrier says stop
            long written = f.onLoop(() -> {
                long total = 0;
                for (int i = 0; i < 10_000 && f.carrier.isWritable(); i++) {
                    ByteBuffer[] batch = {ByteBuffer.allocate(16), ByteBuffer.allocateDirect(16 * 1024 - 16)};
                    for (ByteBuffer b : batch) {
                        for (int j = 0; b.hasRemaining(); j++) {
                            b.put(Patterns.at(total + j));
                        }
                        total += b.flip().remaining();
                    }
                    f.carrier.write(batch, 2, failure -> {
                        completions[0]++;
                        if (failure != null) {
                            failures.add(failure);
                        }
                    });
                }
                return total;
            });
            int batches = (int) (written / (16 * 1024));
            assertFalse(f.onLoop(f.carrier::isWritable), "a peer that does not read must make the carrier unwritable");
            assertTrue(f.onLoop(f.carrier::queuedBytes) > high);
            assertEquals(SelectionKey.OP_WRITE, f.onLoop(f.carrier::interestOps) & SelectionKey.OP_WRITE,
                    "OP_WRITE set while a write is incomplete");
            assertEquals(0, (int) f.onLoop(() -> f.listener.writables));

            Patterns.readAndVerify(f.peerIn(), 0, written);
            writable.get(10, SECONDS);
            // every byte read by the peer means every batch was taken; completions ran before or with the drain
            f.onLoopRun(() -> { });
            assertEquals(batches, (int) f.onLoop(() -> completions[0]));
            assertTrue(f.onLoop(failures::isEmpty));
            assertEquals(0L, (long) f.onLoop(f.carrier::queuedBytes));
            assertEquals(SelectionKey.OP_READ, (int) f.onLoop(f.carrier::interestOps), "OP_WRITE cleared once drained");
            assertTrue(f.onLoop(f.carrier::isWritable));
            assertEquals(1, (int) f.onLoop(() -> f.listener.writables));
            f.assertListenerSane();
        }
    }

    @Test
    void setReadEnabledFalseStopsDeliveryUntilEnabledAgain() throws Exception {
        try (CarrierFixture f = CarrierFixture.openSmall(64 * 1024)) {
            f.onLoopRun(() -> f.carrier.setReadEnabled(false));
            assertEquals(0, f.onLoop(f.carrier::interestOps) & SelectionKey.OP_READ);

            // the peer writes until its kernel buffers and ours are full: only possible if we do not read
            SocketChannel peer = f.peer.getChannel();
            peer.configureBlocking(false);
            long sent = 0;
            int zeroWrites = 0;
            ByteBuffer chunk = ByteBuffer.allocate(4096);
            while (zeroWrites < 3) {
                assertTrue(sent < (256L << 20), "peer could write 256 MiB: the carrier is reading");
                chunk.clear();
                for (int i = 0; i < chunk.capacity(); i++) {
                    chunk.put(Patterns.at(sent + i));
                }
                chunk.flip();
                int n = peer.write(chunk);
                if (n == 0) {
                    zeroWrites++;
                    Thread.onSpinWait();
                    continue;
                }
                // keep the pattern continuous: a partial chunk write leaves the rest unsent
                sent += n;
            }
            assertTrue(sent > 0);
            assertEquals(0, (int) f.onLoop(() -> f.listener.reads), "no onRead while reading is disabled");

            long total = sent;
            CompletableFuture<Void> all = f.onLoop(() -> f.listener.awaitBytes(total));
            f.onLoopRun(() -> f.carrier.setReadEnabled(true));
            all.get(10, SECONDS);
            byte[] got = f.onLoop(() -> f.listener.received.toByteArray());
            assertEquals(total, got.length);
            Patterns.verify(got);
            f.assertListenerSane();
        }
    }

    @Test
    void disablingReadsInsideOnReadStopsTheReadLoopAtOnce() throws Exception {
        try (CarrierFixture f = CarrierFixture.open()) {
            f.listener.onReadHook = b -> f.carrier.setReadEnabled(false);
            CompletableFuture<Void> first = f.onLoop(() -> f.listener.awaitBytes(1));
            CompletableFuture<Void> peerWrite = CompletableFuture.runAsync(() -> {
                try {
                    Patterns.write(f.peerOut(), 0, 4 << 20);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            first.get(10, SECONDS);
            // the loop delivered once and stopped; a later turn of the loop must not deliver more
            f.onLoopRun(() -> { });
            f.onLoopRun(() -> { });
            assertEquals(1, (int) f.onLoop(() -> f.listener.reads));
            assertEquals(0, f.onLoop(f.carrier::interestOps) & SelectionKey.OP_READ);

            f.listener.onReadHook = b -> { };
            CompletableFuture<Void> all = f.onLoop(() -> f.listener.awaitBytes(4 << 20));
            f.onLoopRun(() -> f.carrier.setReadEnabled(true));
            all.get(10, SECONDS);
            peerWrite.get(10, SECONDS);
            Patterns.verify(f.onLoop(() -> f.listener.received.toByteArray()));
            f.assertListenerSane();
        }
    }

    @Test
    void closeWithFlushSendsEverythingQueuedThenCloses() throws Exception {
        try (CarrierFixture f = CarrierFixture.openSmall(64 * 1024)) {
            int batches = 16;
            int size = 64 * 1024;
            List<Throwable> results = new ArrayList<>();
            CompletableFuture<Throwable> lateWrite = new CompletableFuture<>();
            f.onLoopRun(() -> {
                for (int i = 0; i < batches; i++) {
                    ByteBuffer b = ByteBuffer.allocate(size);
                    for (int j = 0; j < size; j++) {
                        b.put(Patterns.at((long) i * size + j));
                    }
                    f.carrier.write(new ByteBuffer[] {b.flip()}, 1, results::add);
                }
                f.carrier.close(true);
                boolean[] inside = {true};
                f.carrier.write(new ByteBuffer[] {ByteBuffer.allocate(10)}, 1, failure -> {
                    lateWrite.complete(inside[0] ? new AssertionError("failed inside write") : failure);
                });
                inside[0] = false;
            });
            assertFalse(f.listener.closed.isDone(), "close(true) waits for the queue to drain");
            assertFalse(f.onLoop(f.carrier::isWritable));
            assertInstanceOf(IOException.class, lateWrite.get(10, SECONDS), "a write after close fails");

            // what the peer sends after close(true) is read and dropped, never delivered
            Patterns.write(f.peerOut(), 0, 100_000);
            InputStream in = f.peerIn();
            Patterns.readAndVerify(in, 0, (long) batches * size);
            assertEquals(-1, in.read(), "FIN right after the flushed bytes");
            f.peer.shutdownOutput();
            assertNull(f.listener.closed.get(10, SECONDS), "closed once the peer closed its side too");
            assertEquals(batches, (int) f.onLoop(results::size));
            for (Throwable t : f.onLoop(() -> new ArrayList<>(results))) {
                assertNull(t);
            }
            assertEquals(0, (int) f.onLoop(() -> f.listener.reads), "no reads after close(true)");
            f.assertListenerSane();
        }
    }

    @Test
    void closeWithFlushGivesUpOnAPeerThatDoesNotRead() throws Exception {
        try (CarrierFixture f = CarrierFixture.open(CarrierFixture.smallConfig(64 * 1024)
                .property(NioSettings.CLOSE_FLUSH_TIMEOUT_MILLIS, "200").build())) {
            List<Throwable> results = new ArrayList<>();
            f.onLoopRun(() -> {
                for (int i = 0; i < 32; i++) {
                    f.carrier.write(new ByteBuffer[] {ByteBuffer.allocate(64 * 1024)}, 1, results::add);
                }
                f.carrier.close(true);
            });
            Throwable cause = f.listener.closed.get(10, SECONDS);
            assertInstanceOf(IOException.class, cause);
            assertTrue(cause.getMessage().contains("did not take"), cause.getMessage());
            f.onLoopRun(() -> { });
            assertInstanceOf(IOException.class, f.onLoop(() -> results.get(31)));
            f.assertListenerSane();
        }
    }

    @Test
    void closeWithFlushClosesAnywayWhenThePeerNeverClosesItsSide() throws Exception {
        try (CarrierFixture f = CarrierFixture.open(CarrierFixture.smallConfig(64 * 1024)
                .property(NioSettings.CLOSE_FLUSH_TIMEOUT_MILLIS, "200").build())) {
            f.onLoopRun(() -> {
                f.carrier.write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {Patterns.at(0)})}, 1, x -> { });
                f.carrier.close(true);
            });
            InputStream in = f.peerIn();
            Patterns.readAndVerify(in, 0, 1);
            assertEquals(-1, in.read());
            assertNull(f.listener.closed.get(10, SECONDS), "everything was flushed: an orderly close");
            f.assertListenerSane();
        }
    }

    @Test
    void closeWithoutFlushFailsQueuedWrites() throws Exception {
        try (CarrierFixture f = CarrierFixture.openSmall(64 * 1024)) {
            List<Throwable> results = new ArrayList<>();
            f.onLoopRun(() -> {
                for (int i = 0; i < 32; i++) {
                    f.carrier.write(new ByteBuffer[] {ByteBuffer.allocate(64 * 1024)}, 1, results::add);
                }
                f.carrier.close(false);
            });
            assertNull(f.listener.closed.get(10, SECONDS));
            f.onLoopRun(() -> { }); // failures of queued batches run as loop tasks, in order
            List<Throwable> got = f.onLoop(() -> new ArrayList<>(results));
            assertEquals(32, got.size());
            assertInstanceOf(IOException.class, got.get(31), "the last batch cannot have been written");
            assertFalse(f.onLoop(f.carrier::isWritable));
            assertEquals(-1, (int) f.onLoop(f.carrier::interestOps));
            f.assertListenerSane();
        }
    }

    /**
     * The peer still sends (as an engine sends WINDOW updates) while the carrier closes after a
     * large write: every byte arrives, then EOF, never a reset.
     */
    @Test
    void closeWithFlushWhileThePeerStillSendsDeliversEveryByteThenEof() throws Exception {
        try (CarrierFixture f = CarrierFixture.open()) {
            byte[] big = ClosePeers.pattern(8 << 20);
            f.onLoopRun(() -> {
                f.carrier.write(new ByteBuffer[] {ByteBuffer.wrap(big)}, 1, failure -> { });
                f.carrier.close(true);
            });
            assertEquals(big.length, ClosePeers.readToEofWhileSending(f.peer));
            f.peer.shutdownOutput();
            assertNull(f.listener.closed.get(10, SECONDS));
            f.assertListenerSane();
        }
    }

    @Test
    void peerEofClosesOnceWithoutCause() throws Exception {
        try (CarrierFixture f = CarrierFixture.open()) {
            Patterns.write(f.peerOut(), 0, 1000);
            f.peer.shutdownOutput();
            assertNull(f.listener.closed.get(10, SECONDS));
            f.onLoopRun(() -> {
                f.carrier.close(true);
                f.carrier.close(false);
            });
            assertEquals(1, (int) f.onLoop(() -> f.listener.closes));
            byte[] got = f.onLoop(() -> f.listener.received.toByteArray());
            assertEquals(1000, got.length, "bytes before the FIN are delivered");
            Patterns.verify(got);
            f.assertListenerSane();
        }
    }

    @Test
    void peerResetClosesWithTheIoError() throws Exception {
        try (CarrierFixture f = CarrierFixture.open()) {
            f.peer.setSoLinger(true, 0);
            f.peer.close();
            Throwable cause = f.listener.closed.get(10, SECONDS);
            assertInstanceOf(IOException.class, cause);
            f.onLoopRun(() -> f.carrier.close(false));
            assertEquals(1, (int) f.onLoop(() -> f.listener.closes));
            f.assertListenerSane();
        }
    }

    @Test
    void writeFailureAfterResetFailsTheBatchAndClosesOnce() throws Exception {
        try (CarrierFixture f = CarrierFixture.openSmall(64 * 1024)) {
            List<Throwable> results = new ArrayList<>();
            f.peer.setSoLinger(true, 0);
            f.peer.close();
            Throwable cause = f.listener.closed.get(10, SECONDS);
            f.onLoopRun(() -> f.carrier.write(new ByteBuffer[] {ByteBuffer.allocate(100)}, 1, results::add));
            f.onLoopRun(() -> { });
            assertEquals(1, (int) f.onLoop(results::size));
            assertInstanceOf(IOException.class, f.onLoop(() -> results.get(0)));
            assertNotEquals(null, cause);
            assertEquals(1, (int) f.onLoop(() -> f.listener.closes));
            f.assertListenerSane();
        }
    }

    @Test
    void emptyBatchesComplete() throws Exception {
        try (CarrierFixture f = CarrierFixture.open()) {
            List<Throwable> results = new ArrayList<>();
            f.onLoopRun(() -> {
                f.carrier.write(new ByteBuffer[0], 0, results::add);
                f.carrier.write(new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocate(3).position(3)}, 2,
                        results::add);
                f.carrier.write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {Patterns.at(0)}), null}, 1, results::add);
            });
            f.onLoopRun(() -> { });
            assertEquals(3, (int) f.onLoop(results::size));
            for (Throwable t : f.onLoop(() -> new ArrayList<>(results))) {
                assertNull(t);
            }
            Patterns.readAndVerify(f.peerIn(), 0, 1);
        }
    }

    @Test
    void writesFromAnotherThreadAreHandedToTheLoop() throws Exception {
        try (CarrierFixture f = CarrierFixture.open()) {
            CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
            byte[] data = new byte[100_000];
            for (int i = 0; i < data.length; i++) {
                data[i] = Patterns.at(i);
            }
            f.carrier.write(new ByteBuffer[] {ByteBuffer.wrap(data)}, 1, failure -> onLoop.complete(f.loop.inLoop()));
            assertTrue(onLoop.get(10, SECONDS));
            Patterns.readAndVerify(f.peerIn(), 0, data.length);
            assertArrayEquals(new byte[0], f.onLoop(() -> f.listener.received.toByteArray()));
        }
    }

    @Test
    void loopShutdownClosesItsCarriers() throws Exception {
        CarrierFixture f = CarrierFixture.open();
        try {
            f.group.shutdown().get(10, SECONDS);
            Throwable cause = f.listener.closed.get(10, SECONDS);
            assertInstanceOf(IOException.class, cause);
            assertTrue(f.loop.awaitTermination(10_000));
            assertEquals(-1, f.peerIn().read(), "the peer sees the socket closed");
            List<Throwable> results = new ArrayList<>();
            f.carrier.write(new ByteBuffer[] {ByteBuffer.allocate(1)}, 1, results::add);
            assertEquals(1, results.size(), "a write after the loop ended fails at once");
            f.assertListenerSane();
        } finally {
            f.close();
        }
    }

    @Test
    void carrierReportsItsAddressesAndRole() throws Exception {
        try (CarrierFixture f = CarrierFixture.open()) {
            assertTrue(f.carrier.isDialer());
            assertEquals(f.peer.getLocalSocketAddress(), f.carrier.remoteAddress());
            assertEquals(f.peer.getRemoteSocketAddress(), f.carrier.localAddress());
            assertInstanceOf(InetSocketAddress.class, f.carrier.localAddress());
            assertFalse(f.carrier.inExecutor());
            assertTrue(f.onLoop(f.carrier::inExecutor));
            assertTrue(f.carrier.executor() == f.loop);
        }
    }

    static <T> T unwrap(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(10, SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }
}
