package org.p2pvm.bench.jmh;

import java.nio.ByteBuffer;
import org.p2pvm.VmConnection;

/**
 * One pooled buffer of a benchmark's write pool and the listener that returns it to the pool once
 * written: each pending write gets its own buffer object (a view of one shared chunk), as the
 * {@link VmConnection} contract asks, and the benchmark allocates nothing per write.
 */
final class PooledWrite implements VmConnection.WriteListener {
    final ByteBuffer buffer;
    /** Set by the benchmark thread when written, cleared by the tunnel's executor when done. */
    volatile boolean busy;

    PooledWrite(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    @Override
    public void onComplete(Throwable failure) {
        busy = false;
    }
}
