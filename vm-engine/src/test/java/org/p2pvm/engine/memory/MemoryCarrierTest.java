package org.p2pvm.engine.memory;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.engine.CarrierListener;

/** The in-memory carrier at byte level, driven by a {@link RecordingListener} instead of the engine. */
@Timeout(30)
class MemoryCarrierTest {

    private static final Random RANDOM = new Random(20261125);

    @Test
    void chunking_deliversEveryByteInOrder_inChunksOfOneToMaxChunk() throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.builder().maxChunk(7).build());
        byte[] data = random(100_000);
        RecordingListener a = listen(link.acceptor()).expect(data.length);
        listen(link.dialer());
        // gathering writes of 1..4 buffers with unused slots at the end of the array
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        int at = 0;
        while (at < data.length) {
            int parts = 1 + RANDOM.nextInt(4);
            ByteBuffer[] batch = new ByteBuffer[parts + 2];
            int count = 0;
            for (int i = 0; i < parts && at < data.length; i++) {
                int n = Math.min(data.length - at, 1 + RANDOM.nextInt(3000));
                batch[count++] = ByteBuffer.wrap(data, at, n);
                sent.write(data, at, n);
                at += n;
            }
            assertNull(write(link.dialer(), batch, count).get(10, SECONDS));
        }
        assertArrayEquals(data, sent.toByteArray());
        assertArrayEquals(data, a.received.get(10, SECONDS));
        assertEquals(0, a.offExecutorCalls.get());
        List<Integer> sizes = onExecutor(link.acceptor(), () -> List.copyOf(a.chunkSizes));
        assertTrue(sizes.stream().allMatch(n -> n >= 1 && n <= 7), "chunk sizes " + sizes);
        assertTrue(new HashSet<>(sizes).size() > 3, "sizes should vary: " + new HashSet<>(sizes));
    }

    @Test
    void chunking_spansWriteBoundaries_andIsReproducibleFromSeed() throws Exception {
        List<Integer> first = chunkSizesOfOneWrite(42);
        List<Integer> again = chunkSizesOfOneWrite(42);
        List<Integer> other = chunkSizesOfOneWrite(43);
        assertEquals(first, again);
        assertFalse(first.equals(other), "another seed cuts elsewhere");
    }

    private List<Integer> chunkSizesOfOneWrite(long seed) throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.builder().maxChunk(1000).seed(seed).build());
        RecordingListener a = listen(link.acceptor()).expect(20_000);
        // two buffers of one write: chunks are cut regardless of the buffers' boundary
        write(link.dialer(), new ByteBuffer[] {ByteBuffer.wrap(random(10_001)), ByteBuffer.wrap(random(9_999))}, 2)
                .get(10, SECONDS);
        a.received.get(10, SECONDS);
        return onExecutor(link.acceptor(), () -> List.copyOf(a.chunkSizes));
    }

    @Test
    void backpressure_writerUnwritableAboveBufferLimit_untilReaderDrains() throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.builder().bufferLimit(1000).build());
        RecordingListener d = listen(link.dialer());
        RecordingListener a = listen(link.acceptor()).expect(1500);
        onExecutor(link.acceptor(), () -> {
            link.acceptor().setReadEnabled(false);
            return null;
        });
        assertTrue(onExecutor(link.dialer(), link.dialer()::isWritable));
        write(link.dialer(), random(900)).get(10, SECONDS);
        assertTrue(onExecutor(link.dialer(), link.dialer()::isWritable), "900 of 1000 bytes in flight");
        write(link.dialer(), random(600)).get(10, SECONDS);
        assertFalse(onExecutor(link.dialer(), link.dialer()::isWritable), "1500 bytes in flight > bufferLimit");
        assertEquals(1500, link.dialer().bytesInFlight());
        // a task queued behind the pump on the reader's executor: nothing was delivered while reading is off
        assertEquals(0, onExecutor(link.acceptor(), a::size));
        assertEquals(0, d.writableCalls.get());

        link.acceptor().executor().execute(() -> link.acceptor().setReadEnabled(true));
        d.writable.get(10, SECONDS);
        a.received.get(10, SECONDS);
        assertTrue(onExecutor(link.dialer(), link.dialer()::isWritable));
        assertEquals(1, d.writableCalls.get());
        assertEquals(0, d.offExecutorCalls.get() + a.offExecutorCalls.get());
    }

    @Test
    void listenerAttachedLate_receivesTheBytesHeldForIt() throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.defaults());
        listen(link.dialer());
        byte[] data = random(5000);
        write(link.dialer(), data).get(10, SECONDS);
        RecordingListener a = new RecordingListener(link.acceptor()).expect(data.length);
        link.acceptor().setListener(a);
        assertArrayEquals(data, a.received.get(10, SECONDS));
    }

    @Test
    void closeWithFlush_closerToldAtOnce_peerReadsInFlightBytesThenEof() throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.builder().maxChunk(100).build());
        RecordingListener d = listen(link.dialer());
        RecordingListener a = new RecordingListener(link.acceptor());
        byte[] data = random(10_000);
        link.dialer().executor().execute(() -> {
            link.dialer().write(new ByteBuffer[] {ByteBuffer.wrap(data)}, 1, f -> { });
            link.dialer().close(true);
        });
        assertNull(d.closed.get(10, SECONDS));
        link.acceptor().setListener(a);
        assertNull(a.closed.get(10, SECONDS), "EOF is an orderly close");
        assertEquals(data.length, a.bytesAtClose, "every byte in flight came before EOF");
        assertArrayEquals(data, onExecutor(link.acceptor(), a::bytes));
        assertEquals(1, d.closedCalls.get());
        assertEquals(1, a.closedCalls.get());
    }

    @Test
    void closeWithoutFlush_dropsInFlightBytes_peerSeesEofEvenWithReadingOff() throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.defaults());
        RecordingListener d = listen(link.dialer());
        RecordingListener a = listen(link.acceptor());
        onExecutor(link.acceptor(), () -> {
            link.acceptor().setReadEnabled(false);
            return null;
        });
        link.dialer().executor().execute(() -> {
            link.dialer().write(new ByteBuffer[] {ByteBuffer.wrap(random(1000))}, 1, f -> { });
            link.dialer().close(false);
        });
        assertNull(d.closed.get(10, SECONDS));
        assertNull(a.closed.get(10, SECONDS));
        assertEquals(0, a.bytesAtClose);
    }

    @Test
    void writesToAPeerThatClosed_areDiscardedAndComplete_writesAfterEofFail() throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.defaults());
        RecordingListener d = listen(link.dialer()).expect(100);
        RecordingListener a = listen(link.acceptor());
        onExecutor(link.dialer(), () -> {
            link.dialer().setReadEnabled(false); // the acceptor's last bytes and its EOF wait
            return null;
        });
        byte[] last = random(100);
        link.acceptor().executor().execute(() -> {
            link.acceptor().write(new ByteBuffer[] {ByteBuffer.wrap(last)}, 1, f -> { });
            link.acceptor().close(true);
        });
        assertNull(a.closed.get(10, SECONDS));
        assertNull(write(link.dialer(), random(10)).get(10, SECONDS), "a wire to a closed peer swallows bytes");
        link.dialer().executor().execute(() -> link.dialer().setReadEnabled(true));
        assertArrayEquals(last, d.received.get(10, SECONDS));
        assertNull(d.closed.get(10, SECONDS));
        Throwable failure = write(link.dialer(), random(10)).get(10, SECONDS);
        assertInstanceOf(IOException.class, failure);
        assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
        assertEquals(0, onExecutor(link.acceptor(), a::size));
    }

    @Test
    void kill_bothEndsGetTheCauseOnce_bytesInFlightAreLost() throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.defaults());
        RecordingListener d = listen(link.dialer());
        RecordingListener a = listen(link.acceptor());
        onExecutor(link.acceptor(), () -> {
            link.acceptor().setReadEnabled(false);
            return null;
        });
        write(link.dialer(), random(1000)).get(10, SECONDS);
        link.dialer().kill();
        link.kill();
        Throwable dc = d.closed.get(10, SECONDS);
        Throwable ac = a.closed.get(10, SECONDS);
        assertInstanceOf(IOException.class, dc);
        assertEquals("memory link killed", dc.getMessage());
        assertEquals("memory link killed", ac.getMessage());
        assertEquals(0, a.bytesAtClose);
        link.acceptor().executor().execute(() -> link.acceptor().setReadEnabled(true));
        assertInstanceOf(IOException.class, write(link.dialer(), random(10)).get(10, SECONDS));
        assertEquals(0, onExecutor(link.acceptor(), a::size));
        assertEquals(1, onExecutor(link.dialer(), d.closedCalls::get));
        assertEquals(1, onExecutor(link.acceptor(), a.closedCalls::get));
    }

    @Test
    void killAfterOrderlyClose_doesNotTellTheClosedEndTwice() throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.defaults());
        RecordingListener d = listen(link.dialer());
        RecordingListener a = listen(link.acceptor());
        onExecutor(link.acceptor(), () -> {
            link.acceptor().setReadEnabled(false);
            return null;
        });
        link.dialer().executor().execute(() -> {
            link.dialer().write(new ByteBuffer[] {ByteBuffer.wrap(random(100))}, 1, f -> { });
            link.dialer().close(true);
        });
        assertNull(d.closed.get(10, SECONDS));
        link.kill();
        assertEquals("memory link killed", a.closed.get(10, SECONDS).getMessage(),
                "the acceptor had not seen EOF yet (reading was off)");
        assertEquals(1, onExecutor(link.dialer(), d.closedCalls::get));
    }

    @Test
    void oneWayDelay_noChunkArrivesEarlierThanTheDelayAfterItsWrite() throws Exception {
        Duration delay = Duration.ofMillis(60);
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.builder().oneWayDelay(delay).maxChunk(500).build());
        RecordingListener a = listen(link.acceptor()).expect(3000);
        listen(link.dialer());
        long[] writtenAt = new long[3];
        for (int i = 0; i < 3; i++) {
            writtenAt[i] = System.nanoTime();
            write(link.dialer(), random(1000)).get(10, SECONDS);
        }
        a.received.get(10, SECONDS);
        List<Long> arrivals = onExecutor(link.acceptor(), () -> List.copyOf(a.chunkArrivalNanos));
        List<Integer> sizes = onExecutor(link.acceptor(), () -> List.copyOf(a.chunkSizes));
        int offset = 0;
        for (int i = 0; i < arrivals.size(); i++) {
            int write = Math.min(2, offset / 1000);
            long waited = arrivals.get(i) - writtenAt[write];
            assertTrue(waited >= delay.toNanos(), "chunk " + i + " arrived after " + waited / 1_000_000 + " ms");
            offset += sizes.get(i);
        }
    }

    @Test
    void listenerThatLeavesBytesUnconsumed_breaksTheContract_linkIsKilled() throws Exception {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.defaults());
        RecordingListener d = listen(link.dialer());
        CompletableFuture<Throwable> closed = new CompletableFuture<>();
        link.acceptor().setListener(new CarrierListener() {
            @Override
            public void onRead(ByteBuffer data) {
                // consumes nothing
            }

            @Override
            public void onWritable() {
            }

            @Override
            public void onClosed(Throwable cause) {
                closed.complete(cause);
            }
        });
        write(link.dialer(), random(10)).get(10, SECONDS);
        assertInstanceOf(IOException.class, closed.get(10, SECONDS));
        assertInstanceOf(IOException.class, d.closed.get(10, SECONDS));
    }

    @Test
    void addressesAndRoles() {
        MemoryLink link = MemoryCarrier.pair(MemoryLink.Settings.defaults());
        assertTrue(link.dialer().isDialer());
        assertFalse(link.acceptor().isDialer());
        assertEquals(link.dialer().localAddress(), link.acceptor().remoteAddress());
        assertEquals("memory:memory/dialer", link.dialer().localAddress().toString());
        assertFalse(link.dialer().inExecutor());
    }

    @Test
    void settings_areValidated_withTheFieldNamed() {
        assertMessage("maxChunk", () -> MemoryLink.Settings.builder().maxChunk(0).build());
        assertMessage("bufferLimit", () -> MemoryLink.Settings.builder().bufferLimit(-1).build());
        assertMessage("oneWayDelay", () -> MemoryLink.Settings.builder().oneWayDelay(Duration.ofMillis(-1)).build());
        assertMessage("oneWayDelay", () -> MemoryLink.Settings.builder().oneWayDelay(null).build());
        assertMessage("memory.maxChunk", () -> MemoryLink.Settings.fromProperties("memory",
                Map.of("memory.maxChunk", "lots")::get));
        assertMessage("memory.oneWayDelayMillis", () -> MemoryLink.Settings.fromProperties("memory",
                Map.of("memory.oneWayDelayMillis", "-5")::get));
        MemoryLink.Settings s = MemoryLink.Settings.fromProperties("memory",
                Map.of("memory.maxChunk", "7", "memory.bufferLimit", "100", "memory.seed", "9",
                        "memory.oneWayDelayMillis", "3")::get);
        assertEquals(7, s.maxChunk());
        assertEquals(100, s.bufferLimit());
        assertEquals(9, s.seed());
        assertEquals(Duration.ofMillis(3), s.oneWayDelay());
        assertEquals(65536, MemoryLink.Settings.defaults().maxChunk());
        assertEquals(4 << 20, MemoryLink.Settings.defaults().bufferLimit());
    }

    private static void assertMessage(String field, org.junit.jupiter.api.function.Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        assertTrue(e.getMessage().startsWith(field), e.getMessage());
    }

    static RecordingListener listen(MemoryCarrier carrier) {
        RecordingListener l = new RecordingListener(carrier);
        carrier.setListener(l);
        return l;
    }

    /** Writes on the carrier's executor; the future completes with the completion's failure (null if written). */
    static CompletableFuture<Throwable> write(MemoryCarrier carrier, byte[] data) {
        return write(carrier, new ByteBuffer[] {ByteBuffer.wrap(data)}, 1);
    }

    static CompletableFuture<Throwable> write(MemoryCarrier carrier, ByteBuffer[] buffers, int count) {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        carrier.executor().execute(() -> carrier.write(buffers, count, failure -> {
            if (!carrier.inExecutor()) {
                done.completeExceptionally(new AssertionError("completion ran off the executor"));
            }
            done.complete(failure);
        }));
        return done;
    }

    /** Runs {@code task} on the carrier's executor, behind everything already queued there. */
    static <T> T onExecutor(MemoryCarrier carrier, Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        carrier.executor().execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(10, TimeUnit.SECONDS);
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
