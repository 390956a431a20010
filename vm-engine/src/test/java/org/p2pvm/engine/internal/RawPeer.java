package org.p2pvm.engine.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.engine.internal.frame.FrameHandler;
import org.p2pvm.engine.internal.frame.FrameReader;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;
import org.p2pvm.engine.internal.frame.ProtocolViolation;

/**
 * A scripted peer without an engine (in the manner of OkHttp's MockHttp2Peer): the test writes raw
 * frames into one real engine and reads back, decoded, the frames the engine wrote.
 */
final class RawPeer {
    /** One decoded frame the engine wrote. */
    record Frame(int type, int flags, int streamId, byte[] payload) {
        long u32(int offset) {
            return ByteBuffer.wrap(payload).getInt(offset) & 0xFFFFFFFFL;
        }

        ErrorCode code() {
            return ErrorCode.fromWire(u32(0));
        }

        @Override
        public String toString() {
            return FrameType.name(type) + "(stream " + Integer.toUnsignedString(streamId) + ", flags " + flags
                    + ", " + payload.length + " bytes)";
        }
    }

    final ManualLoop loop = new ManualLoop();
    final ManualClock clock = new ManualClock();
    final ManualCarrier carrier;
    final TunnelImpl engine;
    final ByteArrayOutputStream tap = new ByteArrayOutputStream();
    private int tapRead;
    private long framesDecoded;
    private long bytesInjected;
    private final FrameReader decoder = new FrameReader(FrameType.MAX_LENGTH);
    private final List<Frame> frames = new ArrayList<>();
    private final byte[] nonce = new byte[16];
    private final String token;

    /** An engine that is the acceptor (dialer = false) or the dialer, facing this raw peer. */
    RawPeer(boolean engineIsDialer, TunnelOptions options, java.util.function.Consumer<org.p2pvm.Tunnel> onOpen) {
        carrier = new ManualCarrier(loop, engineIsDialer, "engine");
        carrier.tap = tap;
        engine = new TunnelImpl(carrier, options, onOpen, clock);
        carrier.listener = engine.session();
        token = options.authToken();
        nonce[0] = 7;
        loop.runInLoop(engine::start);
    }

    /** Runs the handshake from the peer's side; afterwards the engine is open. */
    RawPeer handshake() {
        Frame hello = expect(FrameType.HELLO);
        byte[] engineNonce = java.util.Arrays.copyOfRange(hello.payload, 6, 22);
        send(b -> FrameWriter.hello(b, nonce, new long[0]));
        expect(FrameType.AUTH);
        byte[] mac = mac(nonce, engineNonce);
        send(b -> FrameWriter.auth(b, mac));
        return this;
    }

    byte[] mac(byte[] sender, byte[] receiver) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            byte[] key = token.getBytes(StandardCharsets.UTF_8);
            m.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            m.update("P2PVM-AUTH-1".getBytes(StandardCharsets.US_ASCII));
            m.update(sender);
            m.update(receiver);
            return m.doFinal();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    interface Encoder {
        void encode(ByteBuffer b);
    }

    /** Encodes frames with {@link FrameWriter} and feeds them to the engine. */
    void send(Encoder e) {
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        e.encode(b);
        b.flip();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        sendRaw(bytes);
    }

    /** A raw header with any length/type/flags/stream, and a payload. */
    void sendFrame(int length, int type, int flags, int streamId, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
        FrameWriter.header(b, length, type, flags, streamId);
        b.put(payload);
        sendRaw(b.array());
    }

    void sendRaw(byte[] bytes) {
        bytesInjected += bytes.length;
        carrier.inject(bytes);
    }

    /** How many frames the engine has written in all (taken or not), after draining its output. */
    long tapFrames() {
        List<Frame> pending = frames();
        frames.addAll(pending); // counting does not take them
        return framesDecoded;
    }

    /** Bytes fed to the engine so far. */
    long bytesInjected() {
        return bytesInjected;
    }

    /** Every frame the engine has written so far and not yet taken. */
    List<Frame> frames() {
        loop.runUntilIdle();
        byte[] all = tap.toByteArray();
        if (all.length > tapRead) {
            ByteBuffer in = ByteBuffer.wrap(all, tapRead, all.length - tapRead);
            tapRead = all.length;
            try {
                decoder.read(in, collector);
            } catch (ProtocolViolation v) {
                throw new AssertionError("engine wrote a malformed frame: " + v.getMessage());
            }
        }
        List<Frame> out = new ArrayList<>(frames);
        frames.clear();
        return out;
    }

    /** Takes frames up to and including the first of {@code type}; fails if none. */
    Frame expect(int type) {
        for (Frame f : frames()) {
            if (f.type == type) {
                return f;
            }
        }
        throw new AssertionError("engine did not write " + FrameType.name(type));
    }

    /** The GOAWAY the engine wrote, if any, after draining its output. */
    Frame goaway() {
        for (Frame f : frames()) {
            if (f.type == FrameType.GOAWAY) {
                return f;
            }
        }
        return null;
    }

    private final FrameHandler collector = new FrameHandler() {
        private ByteArrayOutputStream data;

        private void add(int type, int flags, int id, ByteBuffer p) {
            byte[] b = new byte[p.remaining()];
            p.duplicate().get(b);
            frames.add(new Frame(type, flags, id, b));
            framesDecoded++;
        }

        @Override
        public void onHello(ByteBuffer payload) {
            add(FrameType.HELLO, 0, 0, payload);
        }

        @Override
        public void onAuth(ByteBuffer mac) {
            add(FrameType.AUTH, 0, 0, mac);
        }

        @Override
        public void onPing(boolean ack, long opaque) {
            add(FrameType.PING, ack ? 1 : 0, 0, ByteBuffer.allocate(8).putLong(0, opaque));
        }

        @Override
        public void onGoaway(long errorCode, ByteBuffer reason) {
            ByteBuffer b = ByteBuffer.allocate(4 + reason.remaining());
            b.putInt((int) errorCode).put(reason.duplicate()).flip();
            add(FrameType.GOAWAY, 0, 0, b);
        }

        @Override
        public void onListen(ByteBuffer address16, int port, int state) {
            ByteBuffer b = ByteBuffer.allocate(19);
            b.put(address16.duplicate()).putShort((short) port).put((byte) state).flip();
            add(FrameType.LISTEN, 0, 0, b);
        }

        @Override
        public void onOpen(int streamId, ByteBuffer payload) {
            add(FrameType.OPEN, 0, streamId, payload.duplicate().position(0));
        }

        @Override
        public void onAccept(int streamId) {
            add(FrameType.ACCEPT, 0, streamId, ByteBuffer.allocate(0));
        }

        @Override
        public void onData(int streamId, ByteBuffer d, boolean endOfFrame, boolean fin) {
            if (data == null) {
                data = new ByteArrayOutputStream();
            }
            byte[] b = new byte[d.remaining()];
            d.duplicate().get(b);
            data.writeBytes(b);
            if (endOfFrame) {
                add(FrameType.DATA, fin ? 1 : 0, streamId, ByteBuffer.wrap(data.toByteArray()));
                data = null;
            }
        }

        @Override
        public void onWindow(int streamId, long increment) {
            add(FrameType.WINDOW, 0, streamId, ByteBuffer.allocate(4).putInt(0, (int) increment));
        }

        @Override
        public void onReset(int streamId, long errorCode) {
            add(FrameType.RESET, 0, streamId, ByteBuffer.allocate(4).putInt(0, (int) errorCode));
        }
    };

    static byte[] open(VmAddress dst, VmAddress src) {
        ByteBuffer b = ByteBuffer.allocate(36);
        dst.writeTo(b);
        src.writeTo(b);
        return b.array();
    }

    static boolean sameBytes(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
