package org.p2pvm.engine.internal.frame;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.p2pvm.ErrorCode;
import org.p2pvm.VmAddress;

/**
 * PROTOCOL.md §2 codec properties: any sequence of valid frames written by {@link FrameWriter} reads
 * back identically through {@link FrameReader}, whole, one byte at a time, or split at random points,
 * with the same reader reused across all of them.
 */
class FrameCodecProperties {

    /** A frame as the test sees it: type, flags, stream, payload. */
    record F(int type, int flags, int stream, byte[] payload) {
        void write(ByteBuffer b) {
            switch (type) {
                case FrameType.PING -> FrameWriter.ping(b, flags == 1, ByteBuffer.wrap(payload).getLong());
                case FrameType.GOAWAY -> FrameWriter.goaway(b, ErrorCode.fromWire(ByteBuffer.wrap(payload).getInt()),
                        java.util.Arrays.copyOfRange(payload, 4, payload.length));
                case FrameType.WINDOW -> FrameWriter.window(b, stream, ByteBuffer.wrap(payload).getInt());
                case FrameType.RESET -> FrameWriter.reset(b, stream, ErrorCode.fromWire(ByteBuffer.wrap(payload).getInt()));
                case FrameType.ACCEPT -> FrameWriter.accept(b, stream);
                case FrameType.OPEN -> {
                    ByteBuffer p = ByteBuffer.wrap(payload);
                    FrameWriter.open(b, stream, VmAddress.readFrom(p), VmAddress.readFrom(p));
                }
                case FrameType.DATA -> {
                    FrameWriter.dataHeader(b, stream, payload.length, flags == 1);
                    b.put(payload);
                }
                default -> throw new IllegalStateException();
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof F f && f.type == type && f.flags == flags && f.stream == stream
                    && java.util.Arrays.equals(f.payload, payload);
        }

        @Override
        public int hashCode() {
            return type * 31 + stream;
        }
    }

    @Provide
    Arbitrary<List<F>> frames() {
        Arbitrary<Integer> stream = Arbitraries.integers().between(1, Integer.MAX_VALUE);
        Arbitrary<F> data = Combinators.combine(stream, Arbitraries.integers().between(0, 1),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(3000))
                .as((s, fin, p) -> new F(FrameType.DATA, fin, s, p));
        Arbitrary<F> ping = Combinators.combine(Arbitraries.integers().between(0, 1), Arbitraries.longs())
                .as((ack, v) -> new F(FrameType.PING, ack, 0, ByteBuffer.allocate(8).putLong(v).array()));
        Arbitrary<F> window = Combinators.combine(Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(1, Integer.MAX_VALUE))
                .as((s, inc) -> new F(FrameType.WINDOW, 0, s, ByteBuffer.allocate(4).putInt(inc).array()));
        Arbitrary<F> reset = Combinators.combine(stream, Arbitraries.integers().between(0, 11))
                .as((s, c) -> new F(FrameType.RESET, 0, s, ByteBuffer.allocate(4).putInt(c).array()));
        Arbitrary<F> accept = stream.map(s -> new F(FrameType.ACCEPT, 0, s, new byte[0]));
        Arbitrary<F> open = Combinators.combine(stream, Arbitraries.bytes().array(byte[].class).ofSize(36))
                .as((s, p) -> new F(FrameType.OPEN, 0, s, p));
        Arbitrary<F> goaway = Combinators.combine(Arbitraries.integers().between(0, 11),
                Arbitraries.strings().ofMaxLength(200))
                .as((c, r) -> {
                    byte[] reason = r.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    reason = java.util.Arrays.copyOf(reason, Math.min(reason.length, 1024));
                    return new F(FrameType.GOAWAY, 0, 0, ByteBuffer.allocate(4 + reason.length).putInt(c).put(reason).array());
                });
        return Arbitraries.oneOf(data, ping, window, reset, accept, open, goaway).list().ofMaxSize(40);
    }

    private static byte[] encode(List<F> frames) {
        ByteBuffer b = ByteBuffer.allocate(frames.size() * 3100 + 16);
        frames.forEach(f -> f.write(b));
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** Reassembles DATA pieces into whole frames, as a peer would see them. */
    private static final class Collect implements FrameHandler {
        final List<F> out = new ArrayList<>();
        private ByteArrayOutputStream data;

        @Override
        public void onHello(ByteBuffer payload) {
            throw new AssertionError();
        }

        @Override
        public void onAuth(ByteBuffer mac) {
            throw new AssertionError();
        }

        @Override
        public void onPing(boolean ack, long opaque) {
            out.add(new F(FrameType.PING, ack ? 1 : 0, 0, ByteBuffer.allocate(8).putLong(opaque).array()));
        }

        @Override
        public void onGoaway(long errorCode, ByteBuffer reason) {
            byte[] r = new byte[reason.remaining()];
            reason.get(r);
            out.add(new F(FrameType.GOAWAY, 0, 0, ByteBuffer.allocate(4 + r.length).putInt((int) errorCode).put(r).array()));
        }

        @Override
        public void onListen(ByteBuffer address16, int port, int state) {
            throw new AssertionError();
        }

        @Override
        public void onOpen(int streamId, ByteBuffer payload) {
            byte[] p = new byte[36];
            payload.get(0, p);
            out.add(new F(FrameType.OPEN, 0, streamId, p));
        }

        @Override
        public void onAccept(int streamId) {
            out.add(new F(FrameType.ACCEPT, 0, streamId, new byte[0]));
        }

        @Override
        public void onData(int streamId, ByteBuffer d, boolean endOfFrame, boolean fin) {
            if (data == null) {
                data = new ByteArrayOutputStream();
            }
            byte[] b = new byte[d.remaining()];
            d.get(b);
            data.writeBytes(b);
            if (endOfFrame) {
                out.add(new F(FrameType.DATA, fin ? 1 : 0, streamId, data.toByteArray()));
                data = null;
            } else {
                assertFalse(fin, "FIN only on the last piece");
            }
        }

        @Override
        public void onWindow(int streamId, long increment) {
            out.add(new F(FrameType.WINDOW, 0, streamId, ByteBuffer.allocate(4).putInt((int) increment).array()));
        }

        @Override
        public void onReset(int streamId, long errorCode) {
            out.add(new F(FrameType.RESET, 0, streamId, ByteBuffer.allocate(4).putInt((int) errorCode).array()));
        }
    }

    private final FrameReader reused = new FrameReader(16384);

    @Property(tries = 300)
    void roundTrip_whole(@ForAll("frames") List<F> frames) throws ProtocolViolation {
        Collect c = new Collect();
        reused.read(ByteBuffer.wrap(encode(frames)), c);
        assertEquals(frames, c.out);
        assertTrue(reused.atFrameBoundary());
    }

    @Property(tries = 100)
    void roundTrip_oneByteAtATime(@ForAll("frames") List<F> frames) throws ProtocolViolation {
        byte[] bytes = encode(frames);
        Collect c = new Collect();
        FrameReader r = new FrameReader(16384);
        for (byte b : bytes) {
            r.read(ByteBuffer.wrap(new byte[] {b}), c);
        }
        assertEquals(frames, c.out);
    }

    @Property(tries = 300)
    void roundTrip_randomSplits(@ForAll("frames") List<F> frames, @ForAll @IntRange(min = 1, max = 5000) int seed)
            throws ProtocolViolation {
        byte[] bytes = encode(frames);
        java.util.Random rnd = new java.util.Random(seed);
        Collect c = new Collect();
        int pos = 0;
        while (pos < bytes.length) {
            int n = Math.min(bytes.length - pos, 1 + rnd.nextInt(64));
            // read from a larger buffer's middle, as carriers do with their read buffers
            ByteBuffer window = ByteBuffer.wrap(bytes, pos, n).slice();
            reused.read(window, c);
            assertFalse(window.hasRemaining(), "the reader consumes everything it is given");
            pos += n;
        }
        assertEquals(frames, c.out);
    }
}
