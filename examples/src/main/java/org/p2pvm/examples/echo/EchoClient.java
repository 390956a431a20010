package org.p2pvm.examples.echo;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.examples.support.Failures;

/**
 * The echo test: opens many virtual connections to an {@link EchoServer} at once, sends each one
 * its own pseudo-random bytes ({@link PatternStream}), checks that every byte comes back in order,
 * then half-closes and expects the server's FIN.
 *
 * <h2>Memory</h2>
 * All connections are opened at once, but bytes that were written and have not yet come back are
 * limited to {@link Settings#maxBytesInFlight()} for the whole run: a connection writes its next
 * chunk only when that budget allows and the previous chunk was taken by the carrier, and echoed
 * bytes return budget. Connections take turns (first come, first served), so memory stays bounded
 * whatever the number of connections or their size. The echo server must therefore echo without
 * waiting for more input, which {@link EchoServer} does.
 *
 * <h2>Threads</h2>
 * {@link #run()} may be called from any thread, once. All the run's state is confined to the
 * tunnel's executor; {@link #progress()} may be read from any thread. Every chunk is allocated,
 * filled and handed to the engine, which owns it until the write completes.
 */
public final class EchoClient {

    /**
     * What to run.
     *
     * @param connections virtual connections to open at once, at least 1
     * @param bytesPerConnection bytes each connection sends and expects back, at least 0
     * @param chunkBytes size of each write, 1 .. 16 MiB
     * @param maxBytesInFlight bytes written but not yet echoed, all connections together; at least
     *     {@code chunkBytes}
     */
    public record Settings(int connections, long bytesPerConnection, int chunkBytes, long maxBytesInFlight) {
        /** Default write size. */
        public static final int DEFAULT_CHUNK_BYTES = 16 * 1024;
        /** Default budget of bytes written and not yet echoed. */
        public static final long DEFAULT_MAX_BYTES_IN_FLIGHT = 16L * 1024 * 1024;

        public Settings {
            if (connections < 1) {
                throw new IllegalArgumentException("connections is " + connections + " but must be at least 1");
            }
            if (bytesPerConnection < 0) {
                throw new IllegalArgumentException("bytesPerConnection is " + bytesPerConnection
                        + " but must be 0 or more");
            }
            if (chunkBytes < 1 || chunkBytes > 16 * 1024 * 1024) {
                throw new IllegalArgumentException("chunkBytes is " + chunkBytes + " but must be between 1 and 16 MiB");
            }
            if (maxBytesInFlight < chunkBytes) {
                throw new IllegalArgumentException("maxBytesInFlight is " + maxBytesInFlight
                        + " but must be at least chunkBytes (" + chunkBytes + ")");
            }
        }

        /** {@code connections} connections of {@code bytesPerConnection} bytes with default chunking. */
        public static Settings of(int connections, long bytesPerConnection) {
            return new Settings(connections, bytesPerConnection, DEFAULT_CHUNK_BYTES, DEFAULT_MAX_BYTES_IN_FLIGHT);
        }
    }

    private final Tunnel tunnel;
    private final VmAddress target;
    private final Settings settings;
    private final Executor executor;
    private final long seedBase;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CompletableFuture<EchoReport> result = new CompletableFuture<>();

    // Read by progress() from any thread; written on the executor.
    private final AtomicInteger established = new AtomicInteger();
    private final AtomicInteger succeeded = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicLong bytesVerified = new AtomicLong();

    // Confined to the executor.
    private final ArrayDeque<Exchange> waitingToWrite = new ArrayDeque<>();
    private final List<String> failures = new ArrayList<>();
    private long budget;
    private long bytesSent;
    private long startNanos;

    /**
     * @param tunnel an open tunnel whose peer runs an echo server on {@code target}
     * @param target the echo server's virtual address
     */
    public EchoClient(Tunnel tunnel, VmAddress target, Settings settings) {
        this.tunnel = Objects.requireNonNull(tunnel, "tunnel");
        this.target = Objects.requireNonNull(target, "target");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.executor = tunnel.executor();
        this.seedBase = System.nanoTime();
        this.budget = settings.maxBytesInFlight();
    }

    /**
     * Starts the run; the future completes (normally, whatever failed) when every connection has
     * finished. To give up early, close the tunnel: every connection then fails and the future
     * completes.
     *
     * @throws IllegalStateException when called twice
     */
    public CompletableFuture<EchoReport> run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("an EchoClient runs once");
        }
        executor.execute(this::openAll);
        return result;
    }

    /** The run's counters now; callable from any thread. */
    public EchoProgress progress() {
        return new EchoProgress(settings.connections(), established.get(), succeeded.get(), failed.get(),
                bytesVerified.get(), settings.connections() * settings.bytesPerConnection());
    }

    private void openAll() {
        startNanos = System.nanoTime();
        for (int i = 0; i < settings.connections(); i++) {
            Exchange exchange = new Exchange(i);
            tunnel.connect(target).whenCompleteAsync(exchange::onConnected, executor);
        }
    }

    /** Lets waiting connections write while the budget allows. */
    private void pump() {
        while (!waitingToWrite.isEmpty()) {
            Exchange next = waitingToWrite.peek();
            if (next.done) {
                waitingToWrite.poll();
                continue;
            }
            int n = next.nextChunkSize();
            if (n > budget) {
                return;
            }
            waitingToWrite.poll();
            next.queued = false;
            budget -= n;
            next.writeChunk(n);
        }
    }

    private void finished() {
        if (succeeded.get() + failed.get() == settings.connections()) {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
            result.complete(new EchoReport(settings.connections(), succeeded.get(), failed.get(),
                    settings.bytesPerConnection(), bytesSent, bytesVerified.get(), elapsed, failures));
        }
    }

    /** One echo connection; every method runs on the tunnel's executor. */
    private final class Exchange implements VmConnection.Handler {
        private final int index;
        private final PatternStream outbound;
        private final PatternStream expected;
        private VmConnection connection;
        private long written;
        private long received;
        private boolean writing;
        private boolean queued;
        private boolean done;

        Exchange(int index) {
            this.index = index;
            long seed = seedBase + index * 0x632BE59BD9B4E019L;
            this.outbound = new PatternStream(seed);
            this.expected = new PatternStream(seed);
        }

        void onConnected(VmConnection c, Throwable failure) {
            if (failure != null) {
                fail(Failures.describe(failure));
                return;
            }
            connection = c;
            established.incrementAndGet();
            c.setHandler(this, true);
            afterWrite();
        }

        int nextChunkSize() {
            return (int) Math.min(settings.chunkBytes(), settings.bytesPerConnection() - written);
        }

        void writeChunk(int n) {
            ByteBuffer chunk = ByteBuffer.allocate(n);
            outbound.fill(chunk);
            chunk.flip();
            written += n;
            bytesSent += n;
            writing = true;
            connection.write(chunk, this::onWritten);
        }

        private void onWritten(Throwable failure) {
            writing = false;
            if (failure != null) {
                fail("write failed: " + Failures.describe(failure));
                return;
            }
            afterWrite();
        }

        /** Queues the next chunk, or sends FIN once everything is written. */
        private void afterWrite() {
            if (done) {
                return;
            }
            if (written == settings.bytesPerConnection()) {
                connection.shutdownOutput();
            } else if (connection.isWritable() && !queued) {
                queued = true;
                waitingToWrite.add(this);
                pump();
            }
        }

        @Override
        public void onWritabilityChanged(VmConnection c) {
            if (!writing && c.isWritable() && written < settings.bytesPerConnection()) {
                afterWrite();
            }
        }

        @Override
        public void onData(VmConnection c, ByteBuffer data) {
            if (done) {
                return;
            }
            int n = data.remaining();
            if (received + n > written) {
                fail("the echo returned more bytes than were sent (" + (received + n) + " > " + written + ")");
                return;
            }
            long mismatch = expected.verify(data);
            received += n;
            budget += n;
            if (mismatch >= 0) {
                fail("echoed byte " + mismatch + " differs from the byte sent");
                return;
            }
            bytesVerified.addAndGet(n);
            pump();
        }

        @Override
        public void onInputShutdown(VmConnection c) {
            if (!done && received < settings.bytesPerConnection()) {
                fail("the echo ended after " + received + " of " + settings.bytesPerConnection() + " bytes");
            }
        }

        @Override
        public void onClosed(VmConnection c, Throwable failure) {
            if (done) {
                return;
            }
            if (failure != null) {
                fail(Failures.describe(failure));
            } else if (received == settings.bytesPerConnection()) {
                done = true;
                succeeded.incrementAndGet();
                finished();
            } else {
                fail("closed after " + received + " of " + settings.bytesPerConnection() + " bytes");
            }
        }

        private void fail(String why) {
            if (done) {
                return;
            }
            done = true;
            // Bytes still out will never come back: give their budget to the others.
            budget += Math.max(0, written - received);
            if (failures.size() < EchoReport.MAX_FAILURES_KEPT) {
                failures.add("connection " + index + " to " + target + ": " + why);
            }
            failed.incrementAndGet();
            if (connection != null && connection.isOpen()) {
                connection.reset(ErrorCode.CANCELLED);
            }
            finished();
            pump();
        }
    }
}
