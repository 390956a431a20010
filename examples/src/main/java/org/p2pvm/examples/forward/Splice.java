package org.p2pvm.examples.forward;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.VmConnection;
import org.p2pvm.examples.support.Failures;

/**
 * Joins one real TCP socket and one virtual connection: bytes flow both ways until both sides have
 * finished, with half close preserved (EOF on one side becomes FIN / {@code shutdownOutput} on the
 * other) and an abort on one side (TCP reset, stream RESET, tunnel gone) aborting the other.
 *
 * <p><b>Why a thread per direction.</b> Each direction is a plain blocking copy loop over the
 * socket's streams and the connection's blocking adapters ({@link VmConnection#inputStream()},
 * {@link VmConnection#outputStream()}). Backpressure is then automatic both ways: a slow TCP reader
 * blocks the copy thread, which stops reading the virtual stream, so its window closes and the peer
 * stalls; a slow tunnel blocks {@code outputStream().write} at the stream's high water mark, so the
 * thread stops reading the socket and TCP's own window closes. Memory per spliced pair is bounded by
 * two {@value #CHUNK}-byte buffers plus the stream's high water mark. Half close is two lines, and the
 * code stays short enough to check by reading. The cost is two threads per forwarded connection,
 * which is fine for the hundreds to thousands of connections a port forward carries; programs that
 * need 100K streams use the non-blocking handler API directly (see the seed examples).
 *
 * <p>Threads come from the {@link Executor} given (an unbounded pool of daemon threads in
 * {@link ForwardThreads}); nothing here runs on the tunnel's executor. The copy buffers are owned by
 * their thread; the output adapter copies each chunk before queueing it.
 *
 * <p>An abort is reported once per pair, as one line to the {@code log} given: which virtual
 * connection, which side failed and why (never payload), so a user can tell a connection cut by a
 * dropped tunnel from one that ended normally.
 */
public final class Splice {
    /** Bytes read from either side at once. */
    static final int CHUNK = 32 * 1024;

    private final Socket socket;
    private final VmConnection connection;
    private final InputStream vmIn;
    private final Consumer<String> log;
    private final AtomicInteger running = new AtomicInteger(2);
    private final AtomicBoolean aborted = new AtomicBoolean();

    private Splice(Socket socket, VmConnection connection, InputStream vmIn, Consumer<String> log) {
        this.socket = socket;
        this.connection = connection;
        this.vmIn = vmIn;
        this.log = log;
    }

    /**
     * Starts copying in both directions on two threads of {@code threads}. Call
     * {@link VmConnection#inputStream()} yourself beforehand when the connection must stop being
     * delivered to a handler at once (an acceptor does, before returning); pass it as {@code vmIn}.
     *
     * @param log receives one line when the pair is aborted (from a copy thread)
     */
    public static void start(Socket socket, VmConnection connection, InputStream vmIn, Executor threads,
            Consumer<String> log) {
        Splice s = new Splice(socket, connection, vmIn, log);
        threads.execute(s::socketToVm);
        threads.execute(s::vmToSocket);
    }

    private void socketToVm() {
        byte[] buf = new byte[CHUNK];
        // Not try-with-resources: its close() would send FIN before the catch block's RESET, and a
        // peer reading that FIN first would take a reset for a clean end.
        try {
            OutputStream vmOut = connection.outputStream();
            InputStream in = socket.getInputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                vmOut.write(buf, 0, n);
            }
            // EOF from TCP: close() sends FIN after the queued bytes (half close).
            vmOut.close();
        } catch (IOException e) {
            abort("TCP to virtual", e);
        } finally {
            done();
        }
    }

    private void vmToSocket() {
        byte[] buf = new byte[CHUNK];
        try {
            OutputStream out = socket.getOutputStream();
            int n;
            while ((n = vmIn.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            abort("virtual to TCP", e);
        } finally {
            done();
        }
    }

    /** One side failed: reset the other so the failure is seen, not mistaken for a clean end. */
    private void abort(String direction, IOException cause) {
        if (aborted.compareAndSet(false, true)) {
            // The second direction fails because of the first abort: only the first cause is news.
            log.accept("connection " + describe(connection) + " <-> TCP " + socket.getRemoteSocketAddress()
                    + " aborted (" + direction + "): " + Failures.describe(vmCause(cause)));
        }
        try {
            connection.reset(ErrorCode.CANCELLED);
        } catch (RuntimeException e) {
            // The tunnel is gone (its executor may already refuse work): the stream is dead anyway.
        }
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            // already closed
        }
        closeSocket();
    }

    /** The stream adapters wrap the engine's reason (tunnel closed, stream reset) in an IOException. */
    private static Throwable vmCause(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.p2pvm.VmException) {
                return t;
            }
        }
        return e;
    }

    /** E.g. {@code stream 5 [::1]:49152 -> [::10]:80}. */
    static String describe(VmConnection c) {
        return "stream " + Integer.toUnsignedString(c.streamId()) + " " + c.localAddress() + " -> " + c.remoteAddress();
    }

    private void done() {
        if (running.decrementAndGet() == 0) {
            closeSocket();
            try {
                connection.close();
            } catch (RuntimeException e) {
                // as in abort(): a stream of a closed tunnel needs no close
            }
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
