package org.p2pvm.reliability.hostile;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.p2pvm.ErrorCode;
import org.p2pvm.VmAddress;
import org.p2pvm.engine.internal.frame.FrameHandler;
import org.p2pvm.engine.internal.frame.FrameReader;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;
import org.p2pvm.engine.internal.frame.ProtocolViolation;

/**
 * A scripted hostile peer over a plain {@link Socket}, without any engine: it encodes frames with
 * {@link FrameWriter} (or raw headers that break the rules) and writes them either byte by byte
 * (one {@code write(int)} per byte, Nagle off: the server sees every split) or in bulk. What the
 * server sends back is decoded by a {@link FrameReader} on the test thread, only when the test asks
 * ({@link #next}), so a peer can refuse to read. Not thread-safe: one test thread drives it.
 */
final class RawTcpPeer implements AutoCloseable {
    /** One decoded frame from the server. */
    record Frame(int type, int flags, int streamId, byte[] payload) {
        long u32() {
            return ByteBuffer.wrap(payload).getInt(0) & 0xFFFFFFFFL;
        }

        ErrorCode code() {
            return ErrorCode.fromWire(u32());
        }

        @Override
        public String toString() {
            return FrameType.name(type) + "(stream " + Integer.toUnsignedString(streamId) + ", flags " + flags + ", "
                    + payload.length + " bytes)";
        }
    }

    /** End of the server's byte stream (FIN, RST or read error); the description says which. */
    static final Frame EOF = new Frame(-1, 0, 0, new byte[0]);

    final Socket socket;
    private final OutputStream raw;
    private final OutputStream bulk;
    private boolean byteByByte;
    private final java.util.ArrayDeque<Frame> in = new java.util.ArrayDeque<>();
    private String endedBy;
    private final FrameReader decoder = new FrameReader(FrameType.MAX_LENGTH);
    private final FrameHandler collector = new Collector();
    private final byte[] readBuffer = new byte[1 << 16];
    final byte[] nonce = new byte[16];
    byte[] serverNonce;
    private long sentBytes;
    private boolean goawaySeen;

    RawTcpPeer(InetSocketAddress server, boolean byteByByte) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(server, 5000);
        raw = socket.getOutputStream();
        bulk = new BufferedOutputStream(raw, 1 << 16);
        this.byteByByte = byteByByte;
        new java.util.Random().nextBytes(nonce);
    }

    int localPort() {
        return socket.getLocalPort();
    }

    private RawTcpPeer reported = this;

    /**
     * Makes {@code other}'s carrier the one whose server log line and close reason this case checks
     * (a case whose outcome lands on a carrier it opened itself, after this one).
     */
    void reportFor(RawTcpPeer other) {
        reported = other;
    }

    /** The local port of the carrier the case reports on: this one's, unless {@link #reportFor} said otherwise. */
    int reportedPort() {
        return reported.localPort();
    }

    void byteByByte(boolean on) throws IOException {
        bulk.flush();
        byteByByte = on;
    }

    long sentBytes() {
        return sentBytes;
    }

    // ------------------------------------------------------------ writing

    /** Writes bytes (byte by byte or buffered, see {@link #flush()}). */
    void write(byte[] b) throws IOException {
        sentBytes += b.length;
        if (byteByByte) {
            for (byte x : b) {
                raw.write(x);
            }
        } else {
            bulk.write(b);
        }
    }

    void flush() throws IOException {
        bulk.flush();
    }

    interface Encoder {
        void encode(ByteBuffer b);
    }

    void send(Encoder e) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4096);
        e.encode(b);
        write(Arrays.copyOf(b.array(), b.position()));
    }

    /** A frame with any header fields, and a payload (which may disagree with {@code length}). */
    void frame(int length, int type, int flags, int streamId, byte[] payload) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(FrameType.HEADER_LENGTH + payload.length);
        FrameWriter.header(b, length, type, flags, streamId);
        b.put(payload);
        write(b.array());
    }

    void hello(long... settingPairs) throws IOException {
        send(b -> FrameWriter.hello(b, nonce, settingPairs));
        flush();
    }

    /** The full handshake (§4): HELLO, the server's HELLO, AUTH, the server's AUTH. */
    RawTcpPeer handshake(String token, long... settingPairs) throws IOException {
        hello(settingPairs);
        Frame h = expect(FrameType.HELLO);
        serverNonce = Arrays.copyOfRange(h.payload(), 6, 22);
        byte[] mac = mac(token, nonce, serverNonce);
        send(b -> FrameWriter.auth(b, mac));
        flush();
        expect(FrameType.AUTH);
        return this;
    }

    static byte[] mac(String token, byte[] sender, byte[] receiver) {
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

    static byte[] openPayload(VmAddress dst, VmAddress src) {
        ByteBuffer b = ByteBuffer.allocate(FrameType.OPEN_LENGTH);
        dst.writeTo(b);
        src.writeTo(b);
        return b.array();
    }

    static byte[] listenPayload(VmAddress a, int state) {
        ByteBuffer b = ByteBuffer.allocate(FrameType.LISTEN_LENGTH);
        a.writeTo(b);
        b.put((byte) state);
        return b.array();
    }

    static byte[] u32(long v) {
        return ByteBuffer.allocate(4).putInt((int) v).array();
    }

    // ------------------------------------------------------------ reading

    /**
     * The next frame from the server, {@link #EOF} at its end, or null after {@code seconds} without
     * one. Reads on the calling thread: a peer that does not call this does not read the carrier.
     */
    Frame next(long seconds) throws InterruptedException {
        if (!in.isEmpty()) {
            return in.poll();
        }
        if (endedBy != null) {
            return EOF;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            InputStream is = socket.getInputStream();
            while (in.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                int n;
                try {
                    n = is.read(readBuffer);
                } catch (java.net.SocketTimeoutException e) {
                    return null;
                }
                if (n < 0) {
                    endedBy = "FIN (orderly close)";
                    return EOF;
                }
                decoder.read(ByteBuffer.wrap(readBuffer, 0, n), collector);
            }
        } catch (IOException e) {
            endedBy = "read failed: " + e;
            return in.isEmpty() ? EOF : in.poll();
        } catch (ProtocolViolation v) {
            endedBy = "server sent a malformed frame: " + v.getMessage();
            return EOF;
        }
        return in.poll();
    }

    /**
     * Decodes whatever the server has sent that can be read without blocking (flushing our own
     * output first): lets a flooding peer keep reading the replies, so neither side's socket
     * buffers fill. The frames stay queued for {@link #next}.
     */
    void drainAvailable() throws IOException {
        flush();
        if (endedBy != null) {
            return;
        }
        InputStream is = socket.getInputStream();
        try {
            while (is.available() > 0) {
                int n = is.read(readBuffer, 0, Math.min(readBuffer.length, is.available()));
                if (n < 0) {
                    endedBy = "FIN (orderly close)";
                    return;
                }
                decoder.read(ByteBuffer.wrap(readBuffer, 0, n), collector);
            }
        } catch (ProtocolViolation v) {
            endedBy = "server sent a malformed frame: " + v.getMessage();
        }
    }

    /** Whether a GOAWAY from the server has been decoded (by {@link #next} or {@link #drainAvailable}). */
    boolean goawaySeen() {
        return goawaySeen || endedBy != null;
    }

    /** Frames until one of {@code type} (returned); fails on EOF or timeout. */
    Frame expect(int type) throws IOException {
        try {
            while (true) {
                Frame f = next(20);
                if (f == null || f == EOF) {
                    throw new IOException("expected " + FrameType.name(type) + " but got "
                            + (f == null ? "nothing in 20 s" : "the end of the stream: " + endedBy));
                }
                if (f.type() == type) {
                    return f;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * Reads until the server ends the exchange: its GOAWAY ("GOAWAY CODE"), a RESET on
     * {@code streamId} ("RESET CODE", when streamId != 0), or the end of the stream ("EOF: ...").
     * Null after {@code seconds} of nothing.
     */
    String awaitOutcome(int streamId, long seconds) throws InterruptedException {
        while (true) {
            Frame f = next(seconds);
            if (f == null) {
                return null;
            }
            if (f == EOF) {
                return "EOF: " + endedBy;
            }
            if (f.type() == FrameType.GOAWAY) {
                return "GOAWAY " + f.code();
            }
            if (streamId != 0 && f.type() == FrameType.RESET && f.streamId() == streamId) {
                return "RESET " + f.code();
            }
        }
    }

    /** Sends a PING and waits for its ACK: proves the server still serves this tunnel. */
    boolean pingAnswered(long seconds) throws IOException, InterruptedException {
        long opaque = 0x5eed_0000_0000_0000L | localPort();
        send(b -> FrameWriter.ping(b, false, opaque));
        flush();
        while (true) {
            Frame f = next(seconds);
            if (f == null || f == EOF || f.type() == FrameType.GOAWAY) {
                return false;
            }
            if (f.type() == FrameType.PING && (f.flags() & 1) != 0
                    && ByteBuffer.wrap(f.payload()).getLong(0) == opaque) {
                return true;
            }
        }
    }

    /** Collects whole frames; DATA pieces are joined per frame. */
    private final class Collector implements FrameHandler {
        private java.io.ByteArrayOutputStream data;

        private void add(int type, int flags, int id, ByteBuffer p) {
            byte[] b = new byte[p.remaining()];
            p.duplicate().get(b);
            in.add(new Frame(type, flags, id, b));
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
            goawaySeen = true;
            ByteBuffer b = ByteBuffer.allocate(4 + reason.remaining());
            b.putInt((int) errorCode).put(reason.duplicate()).flip();
            add(FrameType.GOAWAY, 0, 0, b);
        }

        @Override
        public void onListen(ByteBuffer address16, int port, int state) {
            add(FrameType.LISTEN, 0, 0, ByteBuffer.wrap(new byte[0]));
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
                data = new java.io.ByteArrayOutputStream();
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
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }
}
