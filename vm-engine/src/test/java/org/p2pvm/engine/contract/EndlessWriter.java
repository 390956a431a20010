package org.p2pvm.engine.contract;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.VmConnection;

/**
 * A handler that writes forever while the connection is writable (never FIN) and counts what
 * arrives, for scenarios that break a tunnel in the middle of a transfer that cannot have finished.
 * {@link #closed} completes with the failure the stream ended with (null for a clean close).
 */
final class EndlessWriter implements VmConnection.Handler {
    private static final ByteBuffer DATA;

    static {
        byte[] b = new byte[16 * 1024];
        new java.util.SplittableRandom(7).nextBytes(b);
        DATA = ByteBuffer.wrap(b).asReadOnlyBuffer();
    }

    private final VmConnection conn;
    private final ByteCounter receivedTotal;
    private volatile boolean stopped;
    private volatile boolean started;
    final CompletableFuture<Throwable> closed = new CompletableFuture<>();

    private EndlessWriter(VmConnection conn, ByteCounter receivedTotal) {
        this.conn = conn;
        this.receivedTotal = receivedTotal;
    }

    /** Attaches a writer as the connection's handler (any thread); {@link #start()} starts writing. */
    static EndlessWriter attach(VmConnection conn, ByteCounter receivedTotal) {
        EndlessWriter w = new EndlessWriter(conn, receivedTotal);
        conn.setHandler(w);
        return w;
    }

    /** Starts writing, on the tunnel's executor (any thread). */
    void start() {
        started = true;
        conn.tunnel().executor().execute(this::writeMore);
    }

    private void writeMore() {
        for (int i = 0; i < 64; i++) {
            if (!started || stopped || !conn.isOpen() || !conn.isWritable()) {
                return;
            }
            conn.write(DATA.duplicate(), failure -> {
                if (failure != null) {
                    stopped = true;
                }
            });
        }
        conn.tunnel().executor().execute(this::writeMore); // still writable: go on after other tasks
    }

    @Override
    public void onData(VmConnection connection, ByteBuffer data) {
        receivedTotal.add(data.remaining());
        data.position(data.limit());
    }

    @Override
    public void onWritabilityChanged(VmConnection connection) {
        writeMore();
    }

    @Override
    public void onClosed(VmConnection connection, Throwable failure) {
        stopped = true;
        closed.complete(failure);
    }
}
