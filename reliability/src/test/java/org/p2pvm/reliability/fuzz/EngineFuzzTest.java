package org.p2pvm.reliability.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmServer;
import org.p2pvm.engine.internal.EngineClock;
import org.p2pvm.engine.internal.TunnelImpl;
import org.p2pvm.engine.internal.frame.FrameHandler;
import org.p2pvm.engine.internal.frame.FrameReader;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;
import org.p2pvm.engine.internal.frame.ProtocolViolation;

/**
 * Jazzer target for the engine's state machine: one {@link TunnelImpl} (the acceptor) over a
 * {@link SyncCarrier}, a valid handshake, then arbitrary bytes in arbitrary pieces, with a small
 * application (an echo server on {@code [::e]:7}, a server that resets on {@code [::e]:8}, and
 * one that pauses reading on {@code [::e]:9}) so OPEN, DATA, WINDOW and RESET reach real streams.
 * Small limits (MAX_STREAMS 8, 1 KiB windows' worth of frames) make the limits reachable.
 *
 * <p>Crashes: an exception escaping the engine, an engine that closes with "internal error" (it
 * catches its own RuntimeExceptions that way), a malformed frame written by the engine, or work
 * scheduled forever on an idle link. Time is virtual (a clock that never fires), so a run is
 * deterministic. Seed corpus: {@code EngineFuzzTestInputs/afterHandshake}.
 */
class EngineFuzzTest {
    private static final FuzzStats STATS = new FuzzStats("engine");
    static final String TOKEN = "fuzz";
    static final VmAddress ECHO = VmAddress.parse("[::e]:7");
    static final VmAddress RESETS = VmAddress.parse("[::e]:8");
    static final VmAddress PAUSED = VmAddress.parse("[::e]:9");

    /** Virtual time that stands still: timers never fire. */
    static final EngineClock FROZEN = new EngineClock() {
        @Override
        public long nanoTime() {
            return 1_000_000_000L;
        }

        @Override
        public Runnable scheduleAtFixedRate(Runnable task, long periodNanos) {
            return () -> { };
        }
    };

    @FuzzTest(maxDuration = "60s")
    void afterHandshake(FuzzedDataProvider data) throws Exception {
        STATS.execution();
        SyncCarrier carrier = new SyncCarrier();
        TunnelOptions o = TunnelOptions.builder().authToken(TOKEN).maxStreams(8).maxListens(8)
                .initialStreamWindow(4096).maxStreamWindow(8192).maxFragmentSize(1024).build();
        VmServer app = VmServer.builder().listen(ECHO).listen(RESETS).listen(PAUSED).acceptor(c -> {
            if (c.localAddress().equals(ECHO)) {
                c.setHandler((conn, d) -> {
                    byte[] copy = new byte[d.remaining()];
                    d.get(copy);
                    conn.write(ByteBuffer.wrap(copy));
                });
            } else if (c.localAddress().equals(RESETS)) {
                c.setHandler((conn, d) -> conn.reset(ErrorCode.CANCELLED));
            } else {
                c.setHandler((conn, d) -> { });
                c.pauseReading();
            }
        }).build();
        TunnelImpl engine = new TunnelImpl(carrier, o, t -> t.install(app), FROZEN);
        carrier.listener = engine.session();
        carrier.tasks.add(engine::start);
        carrier.runUntilIdle();

        // the handshake, as a peer would do it
        byte[] engineHello = carrier.written.toByteArray();
        byte[] engineNonce = Arrays.copyOfRange(engineHello, 9 + 6, 9 + 22);
        byte[] nonce = new byte[16];
        nonce[0] = 1;
        ByteBuffer b = ByteBuffer.allocate(128);
        FrameWriter.hello(b, nonce, new long[0]);
        FrameWriter.auth(b, mac(nonce, engineNonce));
        carrier.inject(b.array(), 0, b.position());
        if (!engine.isOpen()) {
            throw new AssertionError("the handshake did not open the engine: " + engine.closeFuture().getNow(null));
        }

        byte[] input = data.consumeRemainingAsBytes();
        int at = 0;
        int piece = 1 + (input.length > 0 ? input[0] & 0x3F : 0);
        while (at < input.length && !carrier.closed) {
            int n = Math.min(piece, input.length - at);
            carrier.inject(input, at, n);
            at += n;
        }
        engine.close(ErrorCode.CANCELLED, "fuzz run over");
        carrier.runUntilIdle();
        CloseReason r = engine.closeFuture().getNow(null);
        // only this engine's own failure counts: the fuzzed peer may well send a GOAWAY whose text reads
        // "internal error" (Jazzer learns the string from this comparison and did exactly that)
        if (r != null && r.origin() == CloseReason.Origin.LOCAL && r.detail() != null
                && r.detail().startsWith("internal error")) {
            throw new AssertionError("the engine failed internally: " + r);
        }
        if (r != null && r.code() != ErrorCode.CANCELLED) {
            STATS.outcome();
        }
        checkWrittenFrames(carrier.written.toByteArray());
    }

    /** Everything the engine wrote must decode (it never writes a malformed frame). */
    private static void checkWrittenFrames(byte[] out) {
        FrameReader reader = new FrameReader(FrameType.MAX_LENGTH);
        try {
            reader.read(ByteBuffer.wrap(out), new FrameHandler() {
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
                public void onData(int streamId, ByteBuffer d, boolean endOfFrame, boolean fin) {
                }

                @Override
                public void onWindow(int streamId, long increment) {
                    if (increment == 0 || increment > Integer.MAX_VALUE) {
                        throw new AssertionError("the engine wrote WINDOW " + increment);
                    }
                }

                @Override
                public void onReset(int streamId, long errorCode) {
                }
            });
        } catch (ProtocolViolation v) {
            throw new AssertionError("the engine wrote a malformed frame: " + v.getMessage(), v);
        }
        if (!reader.atFrameBoundary()) {
            throw new AssertionError("the engine's output ends inside a frame");
        }
    }

    static byte[] mac(byte[] sender, byte[] receiver) throws Exception {
        Mac m = Mac.getInstance("HmacSHA256");
        m.init(new SecretKeySpec(TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        m.update("P2PVM-AUTH-1".getBytes(StandardCharsets.US_ASCII));
        m.update(sender);
        m.update(receiver);
        return m.doFinal();
    }
}
