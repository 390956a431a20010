package org.p2pvm.transport.websocket.internal;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.p2pvm.ErrorCode;
import org.p2pvm.engine.CarrierListener;
import org.p2pvm.transport.websocket.WebSocketCloseCodes;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * The server side carrier on an upgraded Undertow connection, speaking RFC 6455 frames itself
 * ({@link WsFrameDecoder}, {@link WsFrameEncoder}) on the XNIO {@link StreamConnection}, so TLS
 * ({@code wss}) is whatever conduits Undertow put on the connection. Replaces Undertow's WebSocket
 * channel because its byte-at-a-time unmasking capped client → server bulk at ~400 MB/s
 * (docs/BENCHMARKS.md, "What limits websocket").
 *
 * <h2>Threading</h2>
 * The executor is the connection's XNIO I/O thread: XNIO calls the read, write and close listeners
 * there, and the engine runs there too.
 *
 * <h2>Reading</h2>
 * One buffer of Undertow's pool (direct, the server's buffer size) is read into, unmasked in place
 * and handed to {@link CarrierListener#onRead} in slices, one per frame piece, without a copy. It is
 * held only while it has undecoded bytes (the engine disabled reading mid-buffer) and returned to the
 * pool as soon as it is empty, so an idle connection holds no buffer. While the engine disables
 * reading, socket reads are suspended and the peer's TCP window closes.
 *
 * <h2>Writing</h2>
 * Each batch is one binary message of one frame: a header of up to 10 bytes and the batch's own
 * buffers in one gathering write (no copy; the carrier only moves their positions). The write
 * completes once the frame is flushed. Pongs and the close frame wait for the frame in flight. If the
 * link closes while a frame is half written, its rest is copied first (so the engine gets its buffers
 * back at once and a close frame can still follow a whole frame).
 */
public final class FrameCodecCarrier extends AbstractWsCarrier implements WsFrameDecoder.Handler {
    /** Reads per listener call before yielding the I/O thread to other connections. */
    private static final int READS_PER_WAKEUP = 16;

    private final StreamConnection connection;
    private final ConduitStreamSourceChannel source;
    private final ConduitStreamSinkChannel sink;
    private final XnioIoThread io;
    private final ByteBufferPool pool;
    private final Duration closeTimeout;
    private final WsFrameDecoder decoder;

    /** The read buffer while it holds undecoded bytes (or is being read into), else null. */
    private PooledByteBuffer readBuffer;
    private boolean inReadLoop;
    private boolean eof;
    private boolean violated;

    /** The data frame being written: header, then the batch (or the copy of its rest). */
    private ByteBuffer[] gather = new ByteBuffer[17];
    private int gatherIndex;
    private int gatherCount;
    private PendingWrite frame;
    /** The frame is written, waiting for a flush before its completion. */
    private PendingWrite unflushed;
    private final ByteBuffer header = ByteBuffer.allocate(WsFrameEncoder.MAX_HEADER_BYTES);
    private ByteBuffer pong;
    private ByteBuffer closeFrame;
    private boolean closeFrameReceived;
    /** Close the connection once everything queued is flushed. */
    private boolean closeWhenFlushed;
    private XnioExecutor.Key closeTimer;

    /**
     * @param pool where read buffers come from (the server's buffer pool)
     */
    public FrameCodecCarrier(StreamConnection connection, ByteBufferPool pool, WriteGauge gauge,
            long maxMessageBytes, Duration closeTimeout) {
        super(gauge, false, maxMessageBytes);
        this.connection = connection;
        this.source = connection.getSourceChannel();
        this.sink = connection.getSinkChannel();
        this.io = connection.getIoThread();
        this.pool = pool;
        this.closeTimeout = closeTimeout;
        this.decoder = new WsFrameDecoder(this, maxMessageBytes);
    }

    /**
     * Wires the engine's listener and starts reading. Call on the I/O thread right after
     * {@code TunnelEngine.open}, before any inbound byte is delivered.
     */
    @Override
    public void start(CarrierListener engine) {
        setListener(engine);
        if (notified) {
            IoUtils.safeClose(connection);
            return;
        }
        // later, not inline: a close of our own (after a close frame) is followed by linkClosed's real cause
        connection.getCloseSetter().set(c -> later(() -> {
            releaseReadBuffer();
            linkClosed(closeFrameReceived || violated ? null : lost());
        }));
        source.getReadSetter().set(c -> readLoop());
        sink.getWriteSetter().set(c -> flushOut());
        source.resumeReads();
    }

    private IOException lost() {
        return new IOException("WebSocket connection from " + remoteAddress() + " lost without a close frame");
    }

    private void later(Runnable r) {
        try {
            io.execute(r);
        } catch (RejectedExecutionException e) {
            r.run(); // the I/O thread is gone (server stopping): nobody else touches this carrier now
        }
    }

    @Override
    public Executor executor() {
        return io;
    }

    @Override
    public boolean inExecutor() {
        return Thread.currentThread() == io;
    }

    @Override
    public SocketAddress localAddress() {
        return connection.getLocalAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.getPeerAddress();
    }

    // ---- reading ------------------------------------------------------------------------------

    /** Whether inbound frames are wanted now: the engine reads, or a close handshake drains. */
    private boolean wantRead() {
        return !eof && !violated && !closeFrameReceived && !decoder.isDead() && connection.isOpen()
                && (readEnabled || closing);
    }

    private void readLoop() {
        if (inReadLoop) {
            return; // re-entered from the engine (setReadEnabled(true) inside onRead): the loop goes on
        }
        inReadLoop = true;
        try {
            int reads = 0;
            while (true) {
                if (!wantRead()) {
                    source.suspendReads();
                    if (readBuffer != null && !readBuffer.getBuffer().hasRemaining()) {
                        releaseReadBuffer();
                    }
                    return;
                }
                if (readBuffer != null && readBuffer.getBuffer().hasRemaining()) {
                    decoder.decode(readBuffer.getBuffer());
                    continue;
                }
                if (reads++ == READS_PER_WAKEUP) {
                    releaseReadBuffer();
                    source.wakeupReads(); // more may be buffered (TLS): come back after the others
                    return;
                }
                if (readBuffer == null) {
                    readBuffer = pool.allocate();
                }
                ByteBuffer b = readBuffer.getBuffer();
                b.clear();
                int n = source.read(b);
                b.flip();
                if (n <= 0) {
                    releaseReadBuffer();
                    if (n < 0) {
                        endOfStream();
                    } else {
                        source.resumeReads();
                    }
                    return;
                }
            }
        } catch (IOException e) {
            releaseReadBuffer();
            linkFailed(e);
        } finally {
            inReadLoop = false;
        }
    }

    private void releaseReadBuffer() {
        PooledByteBuffer b = readBuffer;
        if (b != null) {
            readBuffer = null;
            b.close();
        }
    }

    private void endOfStream() {
        eof = true;
        source.suspendReads();
        if (closeFrameReceived || violated) {
            IoUtils.safeClose(connection);
        } else {
            linkFailed(lost());
        }
    }

    @Override
    public boolean onData(ByteBuffer data, boolean messageEnd) {
        if (data.hasRemaining()) {
            deliver(data, messageEnd);
        } else if (messageEnd) {
            messageBytes = 0;
        }
        return wantRead();
    }

    @Override
    public boolean onControl(int opcode, ByteBuffer payload) {
        switch (opcode) {
            case WsFrameDecoder.OP_PING:
                if (closeFrame == null && (pong == null || pong.position() == 0)) {
                    pong = WsFrameEncoder.controlFrame(WsFrameDecoder.OP_PONG, payload); // only the latest
                    flushOut();
                }
                return wantRead();
            case WsFrameDecoder.OP_CLOSE:
                peerCloseFrame(payload);
                return false;
            default:
                return wantRead(); // a pong: nothing to do
        }
    }

    @Override
    public void onViolation(WsFrameDecoder.Violation violation, String detail) {
        violated = true; // nothing after this is parsed: close the connection after our close frame
        switch (violation) {
            case TEXT:
                textReceived();
                break;
            case TOO_BIG:
                failLocally(ErrorCode.FRAME_SIZE_ERROR, detail);
                break;
            default:
                failLocally(ErrorCode.PROTOCOL_ERROR, detail);
        }
    }

    private void peerCloseFrame(ByteBuffer payload) {
        closeFrameReceived = true;
        source.suspendReads();
        int code;
        String reason;
        if (payload.remaining() >= 2) {
            code = payload.getShort() & 0xffff;
            reason = StandardCharsets.UTF_8.decode(payload).toString();
        } else {
            code = 0; // no status code (1005): an orderly close
            reason = "";
        }
        closeWhenFlushed = true;
        peerClosed(code == 0 ? WebSocketCloseCodes.NORMAL : code, reason);
        if (closeFrame == null) {
            closeFrame = WsFrameEncoder.closeFrame(code, reason); // echo it (RFC 6455 5.5.1)
        }
        flushOut();
    }

    @Override
    protected void applyReadEnabled(boolean enabled) {
        if (!enabled) {
            source.suspendReads();
        } else if (wantRead()) {
            source.wakeupReads(); // also decodes what the read buffer still holds
        }
    }

    // ---- writing ------------------------------------------------------------------------------

    @Override
    protected void startMessage(PendingWrite w) {
        header.clear();
        WsFrameEncoder.putHeader(header, WsFrameDecoder.OP_BINARY, true, w.bytes);
        header.flip();
        int n = w.count - w.index + 1;
        if (gather.length < n) {
            gather = new ByteBuffer[Math.max(n, gather.length * 2)];
        }
        gather[0] = header;
        System.arraycopy(w.buffers, w.index, gather, 1, n - 1);
        gatherIndex = 0;
        gatherCount = n;
        frame = w;
        flushOut();
    }

    /** Writes the frame in flight, then a pong, then the close frame, then flushes. */
    private void flushOut() {
        try {
            if (gatherCount > 0) {
                long n;
                do { // a writev takes at most IOV_MAX (1024) buffers: go on while the socket takes bytes
                    n = sink.write(gather, gatherIndex, gatherCount - gatherIndex);
                    while (gatherIndex < gatherCount && !gather[gatherIndex].hasRemaining()) {
                        gather[gatherIndex++] = null;
                    }
                } while (n > 0 && gatherIndex < gatherCount);
                if (gatherIndex < gatherCount) {
                    sink.resumeWrites();
                    return;
                }
                gatherCount = 0;
                gatherIndex = 0;
                unflushed = frame; // null when the rest was a copy
                frame = null;
            }
            if (pong != null && !writeWhole(pong)) {
                return;
            }
            pong = null;
            if (closeFrame != null && !writeWhole(closeFrame)) {
                return;
            }
            if (!sink.flush()) {
                sink.resumeWrites();
                return;
            }
            sink.suspendWrites();
            PendingWrite done = unflushed;
            if (done != null) {
                unflushed = null;
                // completing inline would let the engine's next write recurse into this one
                io.execute(() -> writeDone(done, null));
            }
            if (closeFrame != null && !closeFrame.hasRemaining() && closeWhenFlushed) {
                IoUtils.safeClose(connection);
            }
        } catch (IOException e) {
            PendingWrite w = frame != null ? frame : unflushed;
            frame = null;
            unflushed = null;
            if (w != null) {
                writeDone(w, e);
            } else {
                linkFailed(e);
            }
        }
    }

    private boolean writeWhole(ByteBuffer b) throws IOException {
        if (b.hasRemaining()) {
            sink.write(b);
            if (b.hasRemaining()) {
                sink.resumeWrites();
                return false;
            }
        }
        return true;
    }

    /** Copies the rest of a half-written frame so the engine's buffers can go back to it. */
    private void detachFrame() {
        if (frame == null) {
            return;
        }
        frame = null;
        long rest = 0;
        for (int i = gatherIndex; i < gatherCount; i++) {
            rest += gather[i].remaining();
        }
        if (gatherIndex == 0 && header.position() == 0) {
            // nothing of it went out: drop it whole
            Arrays.fill(gather, 0, gatherCount, null);
            gatherCount = 0;
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate((int) rest);
        for (int i = gatherIndex; i < gatherCount; i++) {
            copy.put(gather[i]);
        }
        Arrays.fill(gather, 0, gatherCount, null);
        gather[0] = copy.flip();
        gatherIndex = 0;
        gatherCount = 1;
    }

    // ---- closing ------------------------------------------------------------------------------

    @Override
    protected void sendCloseFrame(int code, String reason) {
        if (!connection.isOpen()) {
            linkClosed(null);
            return;
        }
        if (closeFrame != null) {
            return;
        }
        closeFrame = WsFrameEncoder.closeFrame(code, reason);
        pong = pong != null && pong.position() > 0 ? pong : null;
        if (closeFrameReceived || violated) {
            closeWhenFlushed = true;
        }
        flushOut();
        if (connection.isOpen()) {
            // a peer that never answers the close frame must not keep the connection
            try {
                closeTimer = io.executeAfter(() -> IoUtils.safeClose(connection), closeTimeout.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                IoUtils.safeClose(connection); // the server is stopping
            }
        }
    }

    @Override
    protected void abortLink() {
        frame = null;
        gatherCount = 0;
        Arrays.fill(gather, null);
        IoUtils.safeClose(connection);
    }

    @Override
    protected void onLinkClosed() {
        detachFrame();
        unflushed = null;
        if (closeTimer != null && !connection.isOpen()) {
            closeTimer.remove();
            closeTimer = null;
        }
        if (!connection.isOpen()) {
            releaseReadBuffer();
        }
    }

    @Override
    public String toString() {
        return "websocket-server[" + remoteAddress() + "]";
    }
}
