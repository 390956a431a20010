package org.p2pvm.transport.websocket.internal;

import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.CloseMessage;
import io.undertow.websockets.core.StreamSinkFrameChannel;
import io.undertow.websockets.core.StreamSourceFrameChannel;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSocketFrameType;
import io.undertow.websockets.core.WebSockets;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.p2pvm.engine.CarrierListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * The server side carrier: one upgraded Undertow {@link WebSocketChannel}.
 *
 * <h2>Threading</h2>
 * The executor is the connection's XNIO I/O thread ({@link WebSocketChannel#getIoThread()}), a
 * serial per-connection loop: Undertow calls the receive, read, write and close listeners there, and
 * so the engine runs there too.
 *
 * <h2>Reading</h2>
 * Binary messages are streamed, not buffered whole: each message's {@link StreamSourceFrameChannel}
 * is read into one reused 16 KiB heap buffer that goes to {@link CarrierListener#onRead} (the engine
 * consumes it before returning). While the engine disables reading, the message channel's reads and
 * the connection's receives are suspended, so Undertow stops reading the socket and the peer's TCP
 * window closes. Undertow's own pooled frame buffers are freed by the frame channel as it is read;
 * buffered control messages (pong) are freed here.
 *
 * <h2>Writing</h2>
 * Each batch is one binary message written through a {@link StreamSinkFrameChannel}: Undertow copies
 * the batch into one pooled buffer at a time and sends it as a (continuation) frame, so a 2 MiB batch
 * costs one pooled buffer of Undertow memory, not 2 MiB. The write completes when the final frame is
 * flushed to the socket.
 */
public final class UndertowCarrier extends AbstractWsCarrier {
    private static final int READ_BUFFER_BYTES = 16 * 1024;

    private final WebSocketChannel channel;
    private final XnioIoThread io;
    private final Duration closeTimeout;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    /** The binary message being read, or null between messages. */
    private StreamSourceFrameChannel message;
    private StreamSinkFrameChannel sink;
    private XnioExecutor.Key closeTimer;
    /** A real close frame arrived (Undertow also reports EOF as a close message). */
    private boolean closeFrameReceived;

    public UndertowCarrier(WebSocketChannel channel, WriteGauge gauge, long maxMessageBytes, Duration closeTimeout) {
        super(gauge, false, maxMessageBytes);
        this.channel = channel;
        this.io = channel.getIoThread();
        this.closeTimeout = closeTimeout;
    }

    /**
     * Wires the engine's listener and starts receiving. Call on the I/O thread right after
     * {@code TunnelEngine.open}, before any inbound byte is delivered.
     */
    @Override
    public void start(CarrierListener engine) {
        setListener(engine);
        if (notified) {
            return;
        }
        channel.getReceiveSetter().set(new Receiver());
        channel.addCloseTask(ch -> onExecutor(() -> linkClosed(closedWithoutCloseFrame())));
        channel.resumeReceives();
    }

    private IOException closedWithoutCloseFrame() {
        return closeFrameReceived ? null
                : new IOException("WebSocket connection from " + remoteAddress() + " lost without a close frame");
    }

    private void onExecutor(Runnable r) {
        if (inExecutor()) {
            r.run();
            return;
        }
        try {
            io.execute(r);
        } catch (RejectedExecutionException e) {
            r.run(); // Undertow is stopping and its I/O thread is gone: nobody else touches this carrier now
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
        return channel.getLocalAddress();
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.getPeerAddress();
    }

    // ---- reading ------------------------------------------------------------------------------

    /** Receives one message channel per WebSocket message, on the I/O thread. */
    private final class Receiver extends AbstractReceiveListener {
        @Override
        protected void onBinary(WebSocketChannel ws, StreamSourceFrameChannel msg) {
            message = msg;
            messageBytes = 0;
            msg.getReadSetter().set(c -> pump());
            pump();
        }

        @Override
        protected void onText(WebSocketChannel ws, StreamSourceFrameChannel msg) {
            IoUtils.safeClose(msg);
            textReceived();
        }

        @Override
        protected void onFullPongMessage(WebSocketChannel ws, BufferedBinaryMessage msg) {
            msg.getData().free();
        }

        @Override
        protected void onFullCloseMessage(WebSocketChannel ws, BufferedBinaryMessage msg) throws IOException {
            closeFrameReceived = true;
            super.onFullCloseMessage(ws, msg); // parses, calls onCloseMessage, echoes the close frame
        }

        @Override
        protected void onCloseMessage(CloseMessage cm, WebSocketChannel ws) {
            if (closeFrameReceived) {
                peerClosed(cm.getCode(), cm.getReason());
            } else {
                // Undertow reports EOF without a close frame as a 1001 close message: it is a lost link
                linkFailed(closedWithoutCloseFrame());
            }
        }

        @Override
        protected void onError(WebSocketChannel ws, Throwable error) {
            linkFailed(error);
        }
    }

    /** Moves the current message's bytes to the engine while it takes them. */
    private void pump() {
        StreamSourceFrameChannel msg = message;
        if (msg == null) {
            return;
        }
        try {
            while ((readEnabled || closing) && !notified) {
                readBuffer.clear();
                int n = msg.read(readBuffer);
                if (n < 0) {
                    message = null;
                    msg.getReadSetter().set(null);
                    return;
                }
                if (n == 0) {
                    msg.resumeReads();
                    return;
                }
                readBuffer.flip();
                if (!deliver(readBuffer, false)) {
                    return;
                }
            }
            msg.suspendReads();
        } catch (IOException e) {
            linkFailed(e);
        }
    }

    @Override
    protected void applyReadEnabled(boolean enabled) {
        if (enabled) {
            channel.resumeReceives();
            StreamSourceFrameChannel msg = message;
            if (msg != null) {
                msg.wakeupReads();
            }
        } else {
            channel.suspendReceives();
            StreamSourceFrameChannel msg = message;
            if (msg != null) {
                msg.suspendReads();
            }
        }
    }

    // ---- writing ------------------------------------------------------------------------------

    @Override
    protected void startMessage(PendingWrite w) {
        try {
            sink = channel.send(WebSocketFrameType.BINARY);
        } catch (IOException e) {
            writeDone(w, e);
            return;
        }
        StreamSinkFrameChannel s = sink;
        s.getWriteSetter().set(c -> writeMore(w, s));
        writeMore(w, s);
    }

    private void writeMore(PendingWrite w, StreamSinkFrameChannel s) {
        try {
            while (!w.drained()) {
                long n = s.write(w.buffers, w.index, w.count - w.index);
                if (n == 0) {
                    s.resumeWrites(); // Undertow calls back when its frame buffer has been flushed
                    return;
                }
            }
            s.shutdownWrites();
            if (s.flush()) {
                s.getWriteSetter().set(null);
                // completing inline would let the engine's next write recurse into this one
                io.execute(() -> writeDone(w, null));
                return;
            }
            s.getWriteSetter().set(ChannelListeners.flushingChannelListener(
                    c -> {
                        c.getWriteSetter().set(null);
                        writeDone(w, null);
                    },
                    (c, e) -> writeDone(w, e)));
            s.resumeWrites();
        } catch (IOException e) {
            s.getWriteSetter().set(null);
            writeDone(w, e);
        }
    }

    // ---- closing ------------------------------------------------------------------------------

    @Override
    protected void sendCloseFrame(int code, String reason) {
        if (!channel.isOpen()) {
            linkClosed(null);
            return;
        }
        if (channel.isCloseFrameSent()) {
            return;
        }
        WebSockets.sendClose(code, reason, channel, new WebSocketCallback<Void>() {
            @Override
            public void complete(WebSocketChannel ws, Void context) {
                if (ws.isCloseFrameReceived()) {
                    IoUtils.safeClose(ws);
                }
            }

            @Override
            public void onError(WebSocketChannel ws, Void context, Throwable throwable) {
                IoUtils.safeClose(ws);
            }
        });
        // a peer that never answers the close frame must not keep the connection
        closeTimer = io.executeAfter(() -> IoUtils.safeClose(channel), closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void abortLink() {
        IoUtils.safeClose(channel);
    }

    @Override
    protected void onLinkClosed() {
        StreamSourceFrameChannel msg = message;
        message = null;
        if (msg != null) {
            IoUtils.safeClose(msg);
        }
        if (closeTimer != null && !channel.isOpen()) {
            closeTimer.remove();
            closeTimer = null;
        }
    }

    @Override
    public String toString() {
        return "websocket-server[" + remoteAddress() + "]";
    }
}
