package org.p2pvm.bench.jmh;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.p2pvm.TunnelStats;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;

/**
 * The scheduler (the writer's round-robin over streams with data, §7) as the number of busy streams
 * grows: two engines over a {@link DirectCarrier}, {@code streams} open streams, and the benchmark
 * writes one buffer of {@code size} bytes (one DATA frame) per operation on the streams in turn, so
 * that every stream has data queued and the writer has to pick among all of them. One operation is
 * one DATA frame; {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes allocated per frame, all
 * threads, both engines.
 *
 * <p>Each stream has a few pooled buffers (owned by the engine until their write listener hands them
 * back; {@value #POOL} in flight in all, at least 2 per stream), so the benchmark allocates nothing
 * per operation. The auxiliary counters (per iteration, from {@link Tunnel#stats()}) say how the
 * frames were grouped: {@code framesPerBatch} on the sending end (frames per carrier write) and
 * {@code peerBatchesPerFrame} on the receiving end (its WINDOW batches per DATA frame received).
 * Command: {@code bench/bench.sh jmh SchedulerBench -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class SchedulerBench {
    private static final VmAddress SINK = VmAddress.of("::1", 9);
    static final int POOL = 256;

    @Param({"1", "100", "10000"})
    int streams;

    @Param({"64", "16384"})
    int size;

    private Tunnel[] tunnels;
    private VmConnection[] conns;
    /** slots[stream][k]: the stream's pooled buffers, used in turn (a stream's writes complete in order). */
    private PooledWrite[][] slots;
    private int perStream;
    private int nextStream;
    private int round;
    long ops;

    /** Grouping per iteration, from both tunnels' counters (read outside the measured loop). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Grouping {
        /** DATA and control frames per carrier write of the sending end. */
        public double framesPerBatch;
        /** Carrier writes of the receiving end (its WINDOW updates) per DATA frame it received. */
        public double peerBatchesPerFrame;
        private TunnelStats sender;
        private TunnelStats receiver;
        private long opsAtStart;

        @Setup(Level.Iteration)
        public void start(SchedulerBench b) {
            sender = b.tunnels[0].stats();
            receiver = b.tunnels[1].stats();
            opsAtStart = b.ops;
        }

        @TearDown(Level.Iteration)
        public void end(SchedulerBench b) {
            TunnelStats s = b.tunnels[0].stats();
            TunnelStats r = b.tunnels[1].stats();
            long batches = s.batchesWritten() - sender.batchesWritten();
            framesPerBatch = batches == 0 ? 0 : (double) (s.framesSent() - sender.framesSent()) / batches;
            long frames = b.ops - opsAtStart;
            peerBatchesPerFrame = frames == 0 ? 0 : (double) (r.batchesWritten() - receiver.batchesWritten()) / frames;
        }
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        tunnels = DirectCarrier.sinkPair(TunnelOptions.defaults(), SINK);
        @SuppressWarnings("unchecked")
        CompletableFuture<VmConnection>[] opening = new CompletableFuture[streams];
        for (int i = 0; i < streams; i++) {
            opening[i] = tunnels[0].connect(SINK);
        }
        conns = new VmConnection[streams];
        for (int i = 0; i < streams; i++) {
            conns[i] = opening[i].get(30, TimeUnit.SECONDS);
            conns[i].setHandler((c, data) -> data.position(data.limit()));
        }
        perStream = Math.max(2, POOL / streams);
        ByteBuffer chunk = ByteBuffer.allocateDirect(size);
        slots = new PooledWrite[streams][perStream];
        for (int i = 0; i < streams; i++) {
            for (int k = 0; k < perStream; k++) {
                slots[i][k] = new PooledWrite(chunk.duplicate()); // one buffer object per pending write
            }
        }
    }

    /** Writes one frame-sized buffer on the next stream in turn, waiting while it has no free slot. */
    @Benchmark
    public void frame(Grouping grouping) { // the parameter only makes JMH report its counters
        int i = nextStream;
        PooledWrite s = slots[i][round];
        if (++nextStream == streams) {
            nextStream = 0;
            if (++round == perStream) {
                round = 0;
            }
        }
        VmConnection c = conns[i];
        while (s.busy || !c.isWritable()) {
            LockSupport.parkNanos(1000);
        }
        s.busy = true;
        s.buffer.clear();
        c.write(s.buffer, s);
        ops++;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        tunnels[0].close(ErrorCode.CANCELLED, "bench done");
    }
}
