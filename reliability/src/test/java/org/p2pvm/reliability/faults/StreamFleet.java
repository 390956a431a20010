package org.p2pvm.reliability.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.p2pvm.VmConnection;

/**
 * Streams kept busy by blocking I/O: for each connection, one thread blocked in
 * {@code InputStream.read} and one writing 16 KiB chunks forever. Each thread's end is recorded
 * with the {@link System#nanoTime()} it happened at: the exception that ended it, or
 * {@link #CLEAN_EOF} if a read returned -1 (which a fault must never produce: a cut carrier is not
 * a clean end of stream). Thread-safe.
 */
final class StreamFleet {
    static final Throwable CLEAN_EOF = new Throwable("read returned -1 (clean end of stream)");

    /** How one thread ended: {@code error} (or {@link #CLEAN_EOF}) at {@code nanos} (System.nanoTime). */
    record End(Throwable error, long nanos) {
        static End now(Throwable error) {
            return new End(error, System.nanoTime());
        }
    }

    final List<CompletableFuture<End>> ends = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstBytes;
    private final String side;

    StreamFleet(String side, int streams) {
        this.side = side;
        this.firstBytes = new CountDownLatch(streams);
    }

    /** Starts the two threads of one connection (any thread). */
    void attach(VmConnection c) {
        InputStream in = c.inputStream();
        OutputStream out = c.outputStream();
        CompletableFuture<End> readEnd = new CompletableFuture<>();
        CompletableFuture<End> writeEnd = new CompletableFuture<>();
        ends.add(readEnd);
        ends.add(writeEnd);
        start("fleet-" + side + "-reader-" + c.streamId(), () -> {
            byte[] buf = new byte[16 * 1024];
            boolean first = true;
            try {
                while (true) {
                    int n = in.read(buf);
                    if (n < 0) {
                        readEnd.complete(End.now(CLEAN_EOF));
                        return;
                    }
                    if (first) {
                        first = false;
                        firstBytes.countDown();
                    }
                }
            } catch (IOException | RuntimeException e) {
                readEnd.complete(End.now(e));
            }
        });
        start("fleet-" + side + "-writer-" + c.streamId(), () -> {
            byte[] chunk = new byte[16 * 1024];
            try {
                while (true) {
                    out.write(chunk);
                }
            } catch (IOException | RuntimeException e) {
                writeEnd.complete(End.now(e));
            }
        });
    }

    private void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    /** Waits until every stream's reader got data (so the fault hits mid-transfer). */
    boolean awaitFlowing(long seconds) throws InterruptedException {
        return firstBytes.await(seconds, java.util.concurrent.TimeUnit.SECONDS);
    }
}
