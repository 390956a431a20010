package org.p2pvm.engine.internal.frame;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;

/**
 * PROTOCOL.md §2–§4 codec properties: any sequence of frames of every v1 type (HELLO with settings,
 * AUTH, PING/ACK, GOAWAY with a reason, LISTEN add/remove, OPEN, ACCEPT, DATA with and without FIN
 * and empty, WINDOW on a stream and on the tunnel, RESET) plus frames of unknown types (which §2 says
 * a receiver skips) is written by {@link FrameWriter} and read back by {@link FrameReader} field by
 * field: (a) in one buffer, (b) one byte at a time, (c) cut at random points anywhere in the input,
 * pieces of 1 byte up to the whole input, each piece in the middle of a larger buffer, and (d) cut
 * in two at every position of the input, so every offset inside every header and payload is a cut.
 */
class FrameCodecProperties {

    /** The reader's MAX_FRAME_PAYLOAD: the largest DATA and unknown-type payload it accepts (§2, §3). */
    private static final int MAX_PAYLOAD = (int) Setting.DEFAULT_MAX_FRAME_PAYLOAD;

    // ---------------------------------------------------------------- the frames, as the test sees them

    /** Bytes compared by content, printed short, so records holding them compare field by field. */
    record Bytes(byte[] b) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes other && Arrays.equals(other.b, b);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(b);
        }

        @Override
        public String toString() {
            String hex = HexFormat.of().formatHex(b, 0, Math.min(b.length, 24));
            return b.length + ":" + hex + (b.length > 24 ? "…" : "");
        }
    }

    /** One frame: writes itself with {@link FrameWriter}; equality is field by field. */
    sealed interface Frame {
        void write(ByteBuffer b);

        int payloadLength();

        /** What the reader reports for this frame (itself, except for unknown types). */
        default Frame decoded() {
            return this;
        }
    }

    record SettingPair(int id, long value) {
    }

    record Hello(Bytes magic, int version, Bytes nonce, List<SettingPair> settings) implements Frame {
        public void write(ByteBuffer b) {
            long[] pairs = new long[2 * settings.size()];
            for (int i = 0; i < settings.size(); i++) {
                pairs[2 * i] = settings.get(i).id();
                pairs[2 * i + 1] = settings.get(i).value();
            }
            FrameWriter.hello(b, nonce.b(), pairs);
        }

        public int payloadLength() {
            return FrameType.HELLO_FIXED + 6 * settings.size();
        }
    }

    record Auth(Bytes mac) implements Frame {
        public void write(ByteBuffer b) {
            FrameWriter.auth(b, mac.b());
        }

        public int payloadLength() {
            return FrameType.AUTH_LENGTH;
        }
    }

    record Ping(boolean ack, long opaque) implements Frame {
        public void write(ByteBuffer b) {
            FrameWriter.ping(b, ack, opaque);
        }

        public int payloadLength() {
            return FrameType.PING_LENGTH;
        }
    }

    /** The code is the u32 wire value, so a misread code cannot hide behind ErrorCode.fromWire. */
    record Goaway(long code, String reason) implements Frame {
        public void write(ByteBuffer b) {
            FrameWriter.goaway(b, ErrorCode.fromWire(code), reason.getBytes(StandardCharsets.UTF_8));
        }

        public int payloadLength() {
            return FrameType.GOAWAY_MIN + reason.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    /** State as read from the wire: 1 = listening, 0 = closed (§2). */
    record Listen(VmAddress address, int state) implements Frame {
        public void write(ByteBuffer b) {
            FrameWriter.listen(b, address, state == 1);
        }

        public int payloadLength() {
            return FrameType.LISTEN_LENGTH;
        }
    }

    record Open(int stream, VmAddress destination, VmAddress source) implements Frame {
        public void write(ByteBuffer b) {
            FrameWriter.open(b, stream, destination, source);
        }

        public int payloadLength() {
            return FrameType.OPEN_LENGTH;
        }
    }

    record Accept(int stream) implements Frame {
        public void write(ByteBuffer b) {
            FrameWriter.accept(b, stream);
        }

        public int payloadLength() {
            return FrameType.ACCEPT_LENGTH;
        }
    }

    record Data(int stream, boolean fin, Bytes payload) implements Frame {
        public void write(ByteBuffer b) {
            FrameWriter.dataHeader(b, stream, payload.b().length, fin);
            b.put(payload.b());
        }

        public int payloadLength() {
            return payload.b().length;
        }
    }

    record Window(int stream, long increment) implements Frame {
        public void write(ByteBuffer b) {
            FrameWriter.window(b, stream, (int) increment);
        }

        public int payloadLength() {
            return FrameType.WINDOW_LENGTH;
        }
    }

    record Reset(int stream, long code) implements Frame {
        public void write(ByteBuffer b) {
            FrameWriter.reset(b, stream, ErrorCode.fromWire(code));
        }

        public int payloadLength() {
            return FrameType.RESET_LENGTH;
        }
    }

    /**
     * A frame of a type v1 does not know. FrameWriter has no method for it (the engine never sends
     * one), so it is its {@link FrameWriter#header} plus payload bytes; the reader skips the payload
     * and reports only the header, as {@link Skipped}.
     */
    record Unknown(int type, int flags, int stream, Bytes payload) implements Frame {
        public void write(ByteBuffer b) {
            FrameWriter.header(b, payload.b().length, type, flags, stream);
            b.put(payload.b());
        }

        public int payloadLength() {
            return payload.b().length;
        }

        @Override
        public Frame decoded() {
            return new Skipped(type, flags, stream, payload.b().length);
        }
    }

    /** What {@link FrameHandler#onUnknown} reports. */
    record Skipped(int type, int flags, int stream, int length) implements Frame {
        public void write(ByteBuffer b) {
            throw new UnsupportedOperationException("only read, never generated");
        }

        public int payloadLength() {
            return length;
        }
    }

    // ---------------------------------------------------------------- generators: every valid field value

    /** Any stream id but 0, including ids above 2^31 (ids are u32 and wrap, §5). */
    private static Arbitrary<Integer> streamIds() {
        return Arbitraries.integers().filter(id -> id != 0);
    }

    private static Arbitrary<Bytes> bytes(int size) {
        return Arbitraries.bytes().array(byte[].class).ofSize(size).map(Bytes::new);
    }

    /** Payload sizes from 0 to the reader's MAX_FRAME_PAYLOAD, mostly small to keep the runs short. */
    private static Arbitrary<Bytes> payloads() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)),
                net.jqwik.api.Tuple.of(3, Arbitraries.bytes().array(byte[].class).ofMaxSize(2048)),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(MAX_PAYLOAD - 16)
                        .ofMaxSize(MAX_PAYLOAD)))
                .map(Bytes::new);
    }

    /** Addresses: any 16 bytes, the wildcard {@code ::}, loopback and IPv4-mapped, any port. */
    private static Arbitrary<VmAddress> addresses() {
        Arbitrary<byte[]> address16 = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofSize(16),
                Arbitraries.just(new byte[16]),
                Arbitraries.just(VmAddress.of("::1", 0).addressBytes()),
                Arbitraries.integers().map(v4 -> ByteBuffer.allocate(16).putLong(0).putInt(0xFFFF).putInt(v4).array()));
        return Combinators.combine(address16, Arbitraries.integers().between(0, VmAddress.MAX_PORT))
                .as(VmAddress::of);
    }

    private static Arbitrary<Long> errorCodes() {
        return Arbitraries.of(ErrorCode.class).map(c -> (long) c.code());
    }

    private static Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    /** §3: the five known settings within their ranges, and unknown ids (which a receiver ignores) with any value. */
    private static Arbitrary<SettingPair> settings() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(TunnelOptions.MIN_FRAGMENT_SIZE, TunnelOptions.MAX_FRAGMENT_SIZE)
                        .map(v -> new SettingPair(Setting.MAX_FRAME_PAYLOAD, v)),
                Arbitraries.integers().between(1, Integer.MAX_VALUE)
                        .map(v -> new SettingPair(Setting.INITIAL_STREAM_WINDOW, v)),
                Arbitraries.integers().between(1, Integer.MAX_VALUE)
                        .map(v -> new SettingPair(Setting.INITIAL_TUNNEL_WINDOW, v)),
                u32().map(v -> new SettingPair(Setting.MAX_STREAMS, v)),
                u32().map(v -> new SettingPair(Setting.MAX_LISTENS, v)),
                Combinators.combine(Arbitraries.integers().between(0, 0xFFFF)
                        .filter(id -> id < Setting.MAX_FRAME_PAYLOAD || id > Setting.MAX_LISTENS), u32())
                        .as(SettingPair::new));
    }

    /**
     * GOAWAY reasons of at most 1024 UTF-8 bytes (§2): up to 256 code points of any plane (at most 4
     * bytes each), or ASCII up to exactly 1024 bytes.
     */
    private static Arbitrary<String> reasons(int maxCodePoints, int maxAscii) {
        Arbitrary<Integer> codePoint = Arbitraries.integers().between(0, Character.MAX_CODE_POINT)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
        Arbitrary<String> unicode = codePoint.list().ofMaxSize(maxCodePoints).map(cps -> {
            StringBuilder s = new StringBuilder();
            cps.forEach(s::appendCodePoint);
            return s.toString();
        });
        return Arbitraries.oneOf(unicode, Arbitraries.strings().ascii().ofMaxLength(maxAscii));
    }

    @Provide
    Arbitrary<List<Frame>> frames() {
        return frames(payloads(), reasons(FrameType.GOAWAY_REASON_MAX / 4, FrameType.GOAWAY_REASON_MAX), 30);
    }

    /**
     * Small frames only, for the every-cut property, whose cost is quadratic in the input length:
     * payloads and reasons of at most 40 bytes (HELLO stays up to its full 214), at most 8 frames.
     */
    @Provide
    Arbitrary<List<Frame>> smallFrames() {
        return frames(Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(Bytes::new), reasons(10, 40), 8);
    }

    private static Arbitrary<List<Frame>> frames(Arbitrary<Bytes> payloads, Arbitrary<String> reasons, int maxFrames) {
        Arbitrary<Frame> hello = Combinators.combine(bytes(FrameType.NONCE_LENGTH),
                settings().list().ofMaxSize(FrameType.MAX_SETTINGS))
                .as((nonce, s) -> new Hello(new Bytes(FrameType.MAGIC), FrameType.VERSION, nonce, s));
        Arbitrary<Frame> auth = bytes(FrameType.AUTH_LENGTH).map(Auth::new);
        Arbitrary<Frame> ping = Combinators.combine(Arbitraries.of(false, true), Arbitraries.longs()).as(Ping::new);
        Arbitrary<Frame> goaway = Combinators.combine(errorCodes(), reasons).as(Goaway::new);
        Arbitrary<Frame> listen = Combinators.combine(addresses(), Arbitraries.of(0, 1)).as(Listen::new);
        Arbitrary<Frame> open = Combinators.combine(streamIds(), addresses(), addresses()).as(Open::new);
        Arbitrary<Frame> accept = streamIds().map(Accept::new);
        Arbitrary<Frame> data = Combinators.combine(streamIds(), Arbitraries.of(false, true), payloads).as(Data::new);
        // WINDOW: stream 0 is the tunnel window (§2, §6), so it is generated as often as all other ids
        Arbitrary<Frame> window = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.just(0), streamIds()),
                Arbitraries.longs().between(1, Integer.MAX_VALUE)).as(Window::new);
        Arbitrary<Frame> reset = Combinators.combine(streamIds(), errorCodes()).as(Reset::new);
        Arbitrary<Frame> unknown = Combinators.combine(Arbitraries.integers().between(FrameType.RESET + 1, 0xFF),
                Arbitraries.integers().between(0, 0xFF), Arbitraries.integers(), payloads).as(Unknown::new);
        return Arbitraries.oneOf(hello, auth, ping, goaway, listen, open, accept, data, window, reset, unknown)
                .list().ofMaxSize(maxFrames);
    }

    // ---------------------------------------------------------------- encoding and decoding

    private static byte[] encode(List<Frame> frames) {
        int size = frames.stream().mapToInt(f -> FrameType.HEADER_LENGTH + f.payloadLength()).sum();
        ByteBuffer b = ByteBuffer.allocate(size);
        frames.forEach(f -> f.write(b));
        assertFalse(b.hasRemaining(), "each frame wrote exactly its header and payload");
        return b.array();
    }

    private static List<Frame> expected(List<Frame> frames) {
        return frames.stream().map(Frame::decoded).toList();
    }

    /**
     * Turns the reader's callbacks back into frames. DATA pieces are joined into one frame, as a peer
     * sees it; payloads are read relatively, because the reader hands out views whose position is not
     * 0. A callback in the middle of a DATA frame, or a piece of another stream, fails the property.
     */
    private static final class Collect implements FrameHandler {
        final List<Frame> out = new ArrayList<>();
        private ByteArrayOutputStream data;
        private int dataStream;

        private static byte[] take(ByteBuffer b, int n) {
            byte[] r = new byte[n];
            b.get(r);
            return r;
        }

        private void add(Frame f) {
            assertNull(data, () -> "a whole frame arrived inside an unfinished DATA frame: " + f);
            out.add(f);
        }

        @Override
        public void onHello(ByteBuffer p) {
            Bytes magic = new Bytes(take(p, FrameType.MAGIC.length));
            int version = p.get() & 0xFF;
            Bytes nonce = new Bytes(take(p, FrameType.NONCE_LENGTH));
            assertEquals(0, p.remaining() % 6, "HELLO settings are whole 6-byte entries");
            List<SettingPair> settings = new ArrayList<>();
            while (p.hasRemaining()) {
                settings.add(new SettingPair(p.getShort() & 0xFFFF, Integer.toUnsignedLong(p.getInt())));
            }
            add(new Hello(magic, version, nonce, settings));
        }

        @Override
        public void onAuth(ByteBuffer mac) {
            assertEquals(FrameType.AUTH_LENGTH, mac.remaining());
            add(new Auth(new Bytes(take(mac, FrameType.AUTH_LENGTH))));
        }

        @Override
        public void onPing(boolean ack, long opaque) {
            add(new Ping(ack, opaque));
        }

        @Override
        public void onGoaway(long errorCode, ByteBuffer reason) {
            add(new Goaway(errorCode, new String(take(reason, reason.remaining()), StandardCharsets.UTF_8)));
        }

        @Override
        public void onListen(ByteBuffer address16, int port, int state) {
            assertEquals(16, address16.remaining());
            add(new Listen(VmAddress.of(take(address16, 16), port), state));
        }

        @Override
        public void onOpen(int streamId, ByteBuffer payload) {
            assertEquals(FrameType.OPEN_LENGTH, payload.remaining());
            add(new Open(streamId, VmAddress.readFrom(payload), VmAddress.readFrom(payload)));
        }

        @Override
        public void onAccept(int streamId) {
            add(new Accept(streamId));
        }

        @Override
        public void onData(int streamId, ByteBuffer d, boolean endOfFrame, boolean fin) {
            if (data == null) {
                data = new ByteArrayOutputStream();
                dataStream = streamId;
            }
            assertEquals(dataStream, streamId, "every piece of a DATA frame names its stream");
            data.writeBytes(take(d, d.remaining()));
            if (endOfFrame) {
                byte[] whole = data.toByteArray();
                data = null;
                add(new Data(streamId, fin, new Bytes(whole)));
            } else {
                assertFalse(fin, "FIN only on the last piece");
            }
        }

        @Override
        public void onWindow(int streamId, long increment) {
            add(new Window(streamId, increment));
        }

        @Override
        public void onReset(int streamId, long errorCode) {
            add(new Reset(streamId, errorCode));
        }

        @Override
        public void onUnknown(int type, int flags, int streamId, int length) {
            add(new Skipped(type, flags, streamId, length));
        }
    }

    /**
     * Feeds {@code bytes} to a fresh reader in the pieces that {@code cuts} (sorted positions, each in
     * 1..length-1) mark. Each piece is a window of the whole array (position and limit inside a larger
     * buffer), as a carrier's read buffer would be.
     */
    private static List<Frame> decode(byte[] bytes, int[] cuts) throws ProtocolViolation {
        FrameReader reader = new FrameReader(MAX_PAYLOAD);
        Collect c = new Collect();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : bytes.length;
            ByteBuffer piece = ByteBuffer.wrap(bytes, from, to - from);
            reader.read(piece, c);
            assertEquals(to, piece.position(), "the reader consumes every byte it is given");
            assertEquals(to, piece.limit(), "the reader puts the limit back");
            from = to;
        }
        assertTrue(reader.atFrameBoundary(), "nothing left half read");
        return c.out;
    }

    // ---------------------------------------------------------------- the properties

    /** (a) The whole input in one buffer. */
    @Property(tries = 200)
    void roundTrip_whole(@ForAll("frames") List<Frame> frames) throws ProtocolViolation {
        assertEquals(expected(frames), decode(encode(frames), new int[0]));
    }

    /** (b) One byte at a time: every header and every payload arrives split at every byte. */
    @Property(tries = 200)
    void roundTrip_oneByteAtATime(@ForAll("frames") List<Frame> frames) throws ProtocolViolation {
        byte[] bytes = encode(frames);
        int[] cuts = new int[Math.max(0, bytes.length - 1)];
        Arrays.setAll(cuts, i -> i + 1);
        assertEquals(expected(frames), decode(bytes, cuts));
    }

    /**
     * (c) Cut at random points anywhere in the input: each cut is a fraction of the input length, so
     * cuts fall in headers and payloads alike, and the pieces range from 1 byte (adjacent cuts) to the
     * whole input (no cut).
     */
    @Property(tries = 200)
    void roundTrip_randomSplits(@ForAll("frames") List<Frame> frames,
            @ForAll("cutFractions") List<Double> cutFractions) throws ProtocolViolation {
        byte[] bytes = encode(frames);
        int[] cuts = cutFractions.stream().mapToInt(f -> (int) (f * bytes.length))
                .filter(p -> p > 0 && p < bytes.length).sorted().distinct().toArray();
        assertEquals(expected(frames), decode(bytes, cuts));
    }

    @Provide
    Arbitrary<List<Double>> cutFractions() {
        return Arbitraries.doubles().between(0, 1).list().ofMaxSize(40);
    }

    /**
     * (d) Cut in two at every position: for each offset inside each header (1..8) and each payload,
     * the frames read back the same. Deterministic complement to (c), on small inputs.
     */
    @Property(tries = 200)
    void roundTrip_everySplitPoint(@ForAll("smallFrames") List<Frame> frames) throws ProtocolViolation {
        byte[] bytes = encode(frames);
        List<Frame> expected = expected(frames);
        for (int cut = 1; cut < bytes.length; cut++) {
            assertEquals(expected, decode(bytes, new int[] {cut}), "cut at " + cut);
        }
    }
}
