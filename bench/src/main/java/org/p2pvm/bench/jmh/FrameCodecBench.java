package org.p2pvm.bench.jmh;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.p2pvm.engine.internal.frame.FrameHandler;
import org.p2pvm.engine.internal.frame.FrameReader;
import org.p2pvm.engine.internal.frame.FrameWriter;
import org.p2pvm.engine.internal.frame.ProtocolViolation;

/**
 * The frame codec alone: encoding DATA headers ({@link FrameWriter#dataHeader}) and decoding a buffer
 * of {@value #FRAMES} DATA frames ({@link FrameReader#read}); one operation is one frame, so
 * {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes allocated per frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class FrameCodecBench {
    static final int FRAMES = 64;

    @Param({"64", "16384"})
    int payload;

    private ByteBuffer header;
    private ByteBuffer frames;
    private FrameReader reader;
    private Sink sink;

    @Setup
    public void setup() {
        header = ByteBuffer.allocate(FrameWriter.size(0));
        frames = ByteBuffer.allocateDirect(FRAMES * FrameWriter.size(payload));
        for (int i = 0; i < FRAMES; i++) {
            FrameWriter.dataHeader(frames, 2 * i + 1, payload, false);
            frames.position(frames.position() + payload);
        }
        frames.flip();
        reader = new FrameReader(1 << 24);
        sink = new Sink();
    }

    /** Encodes one DATA header (the payload itself is never touched: it goes out as its own buffer). */
    @Benchmark
    public ByteBuffer encodeDataHeader() {
        header.clear();
        FrameWriter.dataHeader(header, 7, payload, false);
        return header;
    }

    /** Decodes one DATA frame (header checks + a view of the payload handed to the handler). */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public void decodeDataFrames(Blackhole bh) throws ProtocolViolation {
        frames.rewind();
        sink.bh = bh;
        reader.read(frames, sink);
    }

    /** Consumes DATA pieces into the blackhole; control frames never occur here. */
    static final class Sink implements FrameHandler {
        Blackhole bh;

        @Override
        public void onData(int streamId, ByteBuffer data, boolean endOfFrame, boolean fin) {
            bh.consume(data);
        }

        @Override
        public void onHello(ByteBuffer payload) {
        }

        @Override
        public void onAuth(ByteBuffer mac) {
        }

        @Override
        public void onPing(boolean ack, long opaque) {
        }

        @Override
        public void onGoaway(long errorCode, ByteBuffer reason) {
        }

        @Override
        public void onListen(ByteBuffer address16, int port, int state) {
        }

        @Override
        public void onOpen(int streamId, ByteBuffer payload) {
        }

        @Override
        public void onAccept(int streamId) {
        }

        @Override
        public void onWindow(int streamId, long increment) {
        }

        @Override
        public void onReset(int streamId, long errorCode) {
        }
    }
}
