package org.p2pvm.transport.websocket.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.p2pvm.engine.SerialExecutor;

/**
 * The client side carrier: one {@link java.net.http.WebSocket} of the JDK's HTTP client.
 *
 * <h2>Why the JDK client</h2>
 * Its {@code request(n)} demand is exactly the inbound backpressure a carrier needs (no demand, no
 * socket reads); "one data send pending at a time" is exactly the engine's one-batch-in-flight
 * writer; it needs no dependency and no extra event-loop threads (XNIO's would be a second I/O
 * stack next to the server's); it speaks HTTP proxies (CONNECT) through the client's
 * {@code ProxySelector}, and {@code wss://} with the JDK's TLS. Undertow's client masks outbound
 * frames in place, which the carrier may not do to the engine's buffers, so it would need a copy as
 * well. The price: the JDK has no serial per-connection loop (hence a {@link SerialExecutor}) and
 * does not tell the socket's addresses.
 *
 * <h2>Threading</h2>
 * The JDK calls the {@link WebSocket.Listener} methods one at a time on its own threads; each hops
 * to this carrier's {@link SerialExecutor} (over the transport's client pool), where the engine and
 * all carrier state live. Send completions hop there too.
 *
 * <h2>Reading</h2>
 * One message part is requested at a time: {@code request(1)} after the engine consumed the part,
 * and only while reading is enabled, so at most one part (the JDK's read chunk) waits in memory. The
 * part's buffer is released to the JDK by completing the stage returned from {@code onBinary}.
 *
 * <h2>Writing</h2>
 * A batch is one binary message sent as parts of up to {@link #STAGE_BYTES}: the batch's buffers
 * are copied into one reused staging buffer and each part is sent with {@code last} set on the final
 * one. The JDK copies every payload byte anyway (it masks into its own buffer), and coalescing keeps
 * 9-byte frame headers from becoming WebSocket frames and socket writes of their own.
 */
public final class JdkClientCarrier extends AbstractWsCarrier implements WebSocket.Listener {
    /** Size of one outbound message part. */
    static final int STAGE_BYTES = 64 * 1024;

    private final SerialExecutor executor;
    private final WsEndpoint peer;
    private final Duration closeTimeout;
    private final Consumer<JdkClientCarrier> onOpen;
    private volatile WebSocket ws;
    /** Listener calls answered while reading was disabled; requested again when it is enabled. */
    private long owedDemand;
    private ByteBuffer stage;
    private boolean closeFrameSent;

    /**
     * @param onOpen runs on the executor once the WebSocket is open: it checks the subprotocol and
     *     starts the engine (then calls {@link #start})
     */
    public JdkClientCarrier(Executor pool, WsEndpoint peer, WriteGauge gauge, long maxMessageBytes,
            Duration closeTimeout, Consumer<JdkClientCarrier> onOpen) {
        super(gauge, true, maxMessageBytes);
        this.executor = new SerialExecutor(pool);
        this.peer = peer;
        this.closeTimeout = closeTimeout;
        this.onOpen = onOpen;
    }

    /** The open WebSocket (set before {@code onOpen} runs). */
    public WebSocket webSocket() {
        return ws;
    }

    /** Wires the engine's listener and asks for the first inbound part. On the executor. */
    @Override
    public void start(org.p2pvm.engine.CarrierListener engine) {
        setListener(engine);
        if (!notified && readEnabled) {
            ws.request(1);
        }
    }

    @Override
    public Executor executor() {
        return executor;
    }

    @Override
    public boolean inExecutor() {
        return executor.inExecutor();
    }

    /** The JDK does not expose the socket's local address: the wildcard address, port 0. */
    @Override
    public SocketAddress localAddress() {
        return new InetSocketAddress(0);
    }

    /** The peer's host and port as dialled (unresolved). */
    @Override
    public SocketAddress remoteAddress() {
        return peer.unresolvedAddress();
    }

    // ---- WebSocket.Listener: JDK threads, one call at a time --------------------------------

    @Override
    public void onOpen(WebSocket webSocket) {
        this.ws = webSocket;
        // queued before any later listener call's hop, so the engine starts first
        executor.execute(() -> onOpen.accept(this));
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        CompletableFuture<Void> released = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                deliver(data, last);
            } finally {
                released.complete(null);
                demandOne();
            }
        });
        return released;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        executor.execute(this::textReceived);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        executor.execute(this::demandOne); // the JDK answers with a pong itself
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        executor.execute(this::demandOne);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        executor.execute(() -> peerClosed(statusCode, reason));
        return null; // the JDK then closes its output (echoing the close) and the connection
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        executor.execute(() -> linkFailed(error));
    }

    private void demandOne() {
        if (notified) {
            return;
        }
        if (readEnabled || closing) { // while closing, drain until the peer's close frame
            ws.request(1);
        } else {
            owedDemand++;
        }
    }

    @Override
    protected void applyReadEnabled(boolean enabled) {
        if (enabled && owedDemand > 0 && ws != null) {
            long n = owedDemand;
            owedDemand = 0;
            ws.request(n);
        }
    }

    // ---- writing ------------------------------------------------------------------------------

    @Override
    protected void startMessage(PendingWrite w) {
        if (stage == null) {
            stage = ByteBuffer.allocate(STAGE_BYTES);
        }
        sendPart(w);
    }

    private void sendPart(PendingWrite w) {
        stage.clear();
        while (stage.hasRemaining() && !w.drained()) {
            ByteBuffer src = w.buffers[w.index];
            int n = Math.min(src.remaining(), stage.remaining());
            int oldLimit = src.limit();
            src.limit(src.position() + n);
            stage.put(src);
            src.limit(oldLimit);
        }
        boolean last = w.drained();
        stage.flip();
        CompletableFuture<WebSocket> sent;
        try {
            sent = ws.sendBinary(stage, last);
        } catch (RuntimeException e) {
            writeDone(w, e);
            return;
        }
        sent.whenComplete((r, e) -> executor.execute(() -> {
            if (e != null) {
                writeDone(w, e);
            } else if (last) {
                writeDone(w, null);
            } else {
                sendPart(w);
            }
        }));
    }

    // ---- closing ------------------------------------------------------------------------------

    @Override
    protected void sendCloseFrame(int code, String reason) {
        WebSocket s = ws;
        if (s == null || closeFrameSent || s.isOutputClosed()) {
            if (s != null && s.isInputClosed()) {
                linkClosed(null);
            }
            return;
        }
        closeFrameSent = true;
        s.sendClose(code, reason).whenComplete((r, e) -> {
            if (e != null) {
                s.abort();
                executor.execute(() -> linkClosed(null));
            }
        });
        // a peer that never answers the close frame must not keep the connection
        CompletableFuture.delayedExecutor(closeTimeout.toMillis(), TimeUnit.MILLISECONDS, executor).execute(() -> {
            if (!s.isInputClosed()) {
                s.abort();
            }
            linkClosed(null);
        });
    }

    @Override
    protected void abortLink() {
        WebSocket s = ws;
        if (s != null) {
            s.abort();
        }
    }

    @Override
    public String toString() {
        return "websocket-client[" + peer.uri() + "]";
    }
}
