package org.p2pvm.engine.contract;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.ErrorCode;
import org.p2pvm.VmConnection;

/**
 * One end of a checked stream: sends its payload in slices while the connection is writable (so it
 * respects backpressure), then FIN; hashes what arrives and compares it, at the peer's FIN, with the
 * payload the peer was to send. {@link #done} completes when FIN was written, the input verified and
 * the stream closed cleanly, and fails (naming the stream) as soon as anything goes wrong; it then
 * resets the stream, so the other end's checker fails too instead of waiting.
 *
 * <p>All methods but {@link #attach} run on the tunnel's executor.
 */
final class DuplexChecker implements VmConnection.Handler {
    private static final int SLICE = 4096;

    private final String label;
    private final VmConnection conn;
    private final byte[] toSend;
    private final Payload expected;
    private final boolean sendAfterInputShutdown;
    private final MessageDigest digest = Payload.sha256();
    private long received;
    private int sent;
    private boolean sending;
    private boolean finQueued;
    private final CompletableFuture<Void> written = new CompletableFuture<>();
    private final CompletableFuture<Void> verified = new CompletableFuture<>();
    /** Completes when everything went right; fails at the first problem. */
    final CompletableFuture<Void> done = new CompletableFuture<>();

    private DuplexChecker(String label, VmConnection conn, Payload toSend, Payload expected,
            boolean sendAfterInputShutdown) {
        this.label = label;
        this.conn = conn;
        this.toSend = toSend.bytes;
        this.expected = expected;
        this.sendAfterInputShutdown = sendAfterInputShutdown;
        CompletableFuture.allOf(written, verified, conn.closeFuture()).whenComplete((v, e) -> {
            if (e == null) {
                done.complete(null);
            }
        });
        written.exceptionally(this::fail);
        verified.exceptionally(this::fail);
        conn.closeFuture().exceptionally(this::fail);
    }

    /**
     * Sets a checker as the connection's handler (any thread) and starts sending at once, or after
     * the peer's FIN when {@code sendAfterInputShutdown}.
     */
    static DuplexChecker attach(String label, VmConnection conn, Payload toSend, Payload expected,
            boolean sendAfterInputShutdown) {
        DuplexChecker c = new DuplexChecker(label, conn, toSend, expected, sendAfterInputShutdown);
        conn.setHandler(c);
        if (!sendAfterInputShutdown) {
            conn.tunnel().executor().execute(c::startSending);
        }
        return c;
    }

    /** Sets a checker as the connection's handler (any thread) that sends only after {@link #start()}. */
    static DuplexChecker attachIdle(String label, VmConnection conn, Payload toSend, Payload expected) {
        DuplexChecker c = new DuplexChecker(label, conn, toSend, expected, false);
        conn.setHandler(c);
        return c;
    }

    /** Starts sending (any thread), for a checker from {@link #attachIdle}. */
    void start() {
        conn.tunnel().executor().execute(this::startSending);
    }

    VmConnection connection() {
        return conn;
    }

    /** Bytes given to {@code write} so far (read on the executor). */
    int bytesQueued() {
        return sent;
    }

    /** Bytes received so far (read on the executor). */
    long bytesReceived() {
        return received;
    }

    private void startSending() {
        sending = true;
        writeMore();
    }

    private void writeMore() {
        if (!sending || finQueued || done.isDone()) {
            return;
        }
        while (sent < toSend.length && conn.isWritable()) {
            int n = Math.min(SLICE, toSend.length - sent);
            conn.write(ByteBuffer.wrap(toSend, sent, n), failure -> {
                if (failure != null) {
                    written.completeExceptionally(failure);
                }
            });
            sent += n;
        }
        if (sent == toSend.length) {
            finQueued = true;
            conn.shutdownOutput().whenComplete((v, e) -> {
                if (e != null) {
                    written.completeExceptionally(e);
                } else {
                    written.complete(null);
                }
            });
        }
    }

    @Override
    public void onData(VmConnection connection, ByteBuffer data) {
        received += data.remaining();
        digest.update(data);
    }

    @Override
    public void onInputShutdown(VmConnection connection) {
        byte[] got = digest.digest();
        if (expected.matches(got, received)) {
            verified.complete(null);
        } else {
            verified.completeExceptionally(new AssertionError(label + ": received " + received + " bytes with SHA-256 "
                    + Payload.hex(got) + " but expected " + expected.length() + " bytes with "
                    + Payload.hex(expected.sha256)));
        }
        if (sendAfterInputShutdown) {
            startSending();
        }
    }

    @Override
    public void onWritabilityChanged(VmConnection connection) {
        writeMore();
    }

    @Override
    public void onClosed(VmConnection connection, Throwable failure) {
        if (failure != null) {
            fail(failure);
        } else if (!verified.isDone()) {
            fail(new AssertionError("closed cleanly without the peer's FIN"));
        }
    }

    /** Fails {@link #done} and resets the stream, so that its other end fails at once instead of waiting. */
    private Void fail(Throwable cause) {
        if (done.completeExceptionally(new AssertionError(label + " (stream " + conn.streamId() + "): " + cause,
                cause))) {
            conn.reset(ErrorCode.CANCELLED);
        }
        return null;
    }
}
