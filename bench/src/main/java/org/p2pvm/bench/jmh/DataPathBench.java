package org.p2pvm.bench.jmh;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;

/**
 * The whole per-frame DATA path through two engines over a {@link DirectCarrier}: the application
 * writes one buffer of exactly maxFragmentSize (or 64 B) on a stream, the scheduler frames it, the
 * batch goes to the peer, the peer's reader delivers it to a counting handler and returns credit.
 * One operation is one DATA frame; {@code -prof gc} reports bytes allocated per frame, all threads.
 *
 * <p>The benchmark itself allocates nothing per operation: it writes from a fixed pool of buffers
 * (each owned by the engine until its write listener hands it back, used round-robin), so what is counted is the
 * engines' own cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class DataPathBench {
    private static final VmAddress SINK = VmAddress.of("::1", 9);

    @Param({"64", "16384"})
    int size;

    private Tunnel[] tunnels;
    private VmConnection conn;
    private static final int POOL = 256;
    private PooledWrite[] slots;
    private int next;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        tunnels = DirectCarrier.sinkPair(TunnelOptions.defaults(), SINK);
        conn = tunnels[0].connect(SINK).get(10, TimeUnit.SECONDS);
        conn.setHandler((c, data) -> data.position(data.limit()));
        ByteBuffer chunk = ByteBuffer.allocateDirect(size);
        slots = new PooledWrite[POOL];
        for (int i = 0; i < POOL; i++) {
            slots[i] = new PooledWrite(chunk.duplicate());
        }
    }

    /** Writes one fragment-sized buffer (one DATA frame), waiting while the stream is not writable. */
    @Benchmark
    public void dataFrame() {
        while (!conn.isWritable()) {
            LockSupport.parkNanos(1000);
        }
        // writes complete in order, so the pool is used round-robin
        PooledWrite s = slots[next];
        next = (next + 1) % POOL;
        while (s.busy) {
            LockSupport.parkNanos(1000);
        }
        s.busy = true;
        conn.write(s.buffer, s);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        conn.reset(ErrorCode.CANCELLED);
        tunnels[0].close(ErrorCode.CANCELLED, "bench done");
    }
}
