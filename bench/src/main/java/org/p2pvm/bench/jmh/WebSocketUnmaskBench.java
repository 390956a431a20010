package org.p2pvm.bench.jmh;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

/**
 * The ceiling of client → server bulk over the websocket transport: the server unmasks every
 * payload byte (RFC 6455 §5.3) on the connection's one I/O thread before the tunnel sees it.
 * {@code undertow} runs Undertow's own unmasking ({@code version07.Masker}, reached by reflection: it
 * is package-private) over one 16 KiB read buffer, as {@code UndertowCarrier} reads; {@code wordAtATime}
 * is the same XOR 8 bytes at a time, what a codec of our own would do. One operation is one byte, so
 * the score in ops/µs is MB/s. Command: {@code bench/bench.sh jmh WebSocketUnmaskBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class WebSocketUnmaskBench {
    static final int BYTES = 16 * 1024;
    private static final int KEY = 0x5a3c96e1;

    @Param({"heap", "direct"})
    String buffer;

    private ByteBuffer data;
    private Object masker;
    private MethodHandle afterRead;

    @Setup
    public void setup() throws Throwable {
        data = buffer.equals("direct") ? ByteBuffer.allocateDirect(BYTES) : ByteBuffer.allocate(BYTES);
        Class<?> type = Class.forName("io.undertow.websockets.core.protocol.version07.Masker");
        Constructor<?> c = type.getDeclaredConstructor(int.class);
        c.setAccessible(true);
        masker = c.newInstance(KEY);
        afterRead = MethodHandles.publicLookup().findVirtual(type, "afterRead",
                MethodType.methodType(void.class, ByteBuffer.class, int.class, int.class));
    }

    /** Undertow's per-byte loop over one read buffer. */
    @Benchmark
    @OperationsPerInvocation(BYTES)
    public ByteBuffer undertow() throws Throwable {
        afterRead.invoke(masker, data, 0, BYTES);
        return data;
    }

    /** The same unmasking with 8-byte XORs (the key repeated twice), then the tail byte by byte. */
    @Benchmark
    @OperationsPerInvocation(BYTES)
    public ByteBuffer wordAtATime() {
        ByteBuffer b = data.order(ByteOrder.BIG_ENDIAN);
        long key8 = ((long) KEY << 32) | (KEY & 0xffffffffL);
        int i = 0;
        for (; i + 8 <= BYTES; i += 8) {
            b.putLong(i, b.getLong(i) ^ key8);
        }
        for (; i < BYTES; i++) {
            b.put(i, (byte) (b.get(i) ^ (KEY >>> (24 - 8 * (i & 3)))));
        }
        return b;
    }
}
