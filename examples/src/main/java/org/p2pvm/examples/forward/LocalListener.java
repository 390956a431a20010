package org.p2pvm.examples.forward;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;

/**
 * A real local TCP listener whose every accepted socket becomes a virtual connection to
 * {@code destination} through the tunnel its {@link TunnelSource} gives ({@code connect --local} and
 * {@code serve --local}); the pair is then {@link Splice spliced}.
 *
 * <p>While the tunnel is down, a new socket waits up to {@code tunnelWait} for it to come back and
 * is then closed (so clients with their own retry see a quick failure, and the ones that arrive
 * during a short reconnect just see a slower connect). A refused virtual connection (nothing listens
 * at {@code destination}) closes the socket with a TCP reset.
 *
 * <p>One daemon thread accepts; copying runs on the given pool. {@link #close()} stops accepting;
 * connections already spliced run on.
 */
public final class LocalListener implements Closeable {
    private final ServerSocket serverSocket;
    private final VmAddress destination;
    private final TunnelSource tunnels;
    private final Duration tunnelWait;
    private final ExecutorService threads;
    private final Consumer<String> log;
    private final Thread acceptor;

    private LocalListener(ServerSocket serverSocket, VmAddress destination, TunnelSource tunnels, Duration tunnelWait,
            ExecutorService threads, Consumer<String> log) {
        this.serverSocket = serverSocket;
        this.destination = destination;
        this.tunnels = tunnels;
        this.tunnelWait = tunnelWait;
        this.threads = threads;
        this.log = log;
        this.acceptor = new Thread(this::acceptLoop, "p2pvm-local-" + serverSocket.getLocalPort());
        acceptor.setDaemon(true);
    }

    /**
     * Binds {@code bindAddress} and starts accepting.
     *
     * @throws IOException when the address cannot be bound (in use, not local...)
     */
    public static LocalListener start(InetSocketAddress bindAddress, VmAddress destination, TunnelSource tunnels,
            Duration tunnelWait, ExecutorService threads, Consumer<String> log) throws IOException {
        ServerSocket ss = new ServerSocket();
        try {
            ss.bind(bindAddress, 512);
        } catch (IOException e) {
            ss.close();
            throw e;
        }
        LocalListener l = new LocalListener(ss, destination, tunnels, tunnelWait, threads, log);
        l.acceptor.start();
        return l;
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    /** The virtual address every accepted socket is connected to. */
    public VmAddress destination() {
        return destination;
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!serverSocket.isClosed()) {
                    log.accept("local " + TcpForward.describe(localAddress()) + ": accept failed: " + e.getMessage());
                }
                continue;
            }
            try {
                socket.setTcpNoDelay(true);
            } catch (SocketException e) {
                // the socket is already gone; the connect below fails
            }
            CompletableFuture<Tunnel> tunnel;
            try {
                tunnel = tunnels.tunnel();
            } catch (RuntimeException e) {
                tunnel = CompletableFuture.failedFuture(e);
            }
            tunnel.orTimeout(tunnelWait.toMillis(), TimeUnit.MILLISECONDS)
                    .thenCompose(t -> t.connect(destination))
                    .whenComplete((connection, failure) -> {
                        if (failure != null) {
                            log.accept("local " + TcpForward.describe(localAddress()) + " -> " + destination
                                    + ": " + describeFailure(failure));
                            abort(socket);
                        } else {
                            start(socket, connection);
                        }
                    });
        }
    }

    private void start(Socket socket, VmConnection connection) {
        try {
            InputStream in = connection.inputStream();
            Splice.start(socket, connection, in, threads, log);
        } catch (RuntimeException e) {
            connection.reset(org.p2pvm.ErrorCode.CANCELLED);
            abort(socket);
        }
    }

    private static String describeFailure(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        if (t instanceof java.util.concurrent.TimeoutException) {
            return "no tunnel available";
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Stops accepting. */
    @Override
    public void close() {
        try {
            serverSocket.close();
        } catch (IOException e) {
            // closed anyway
        }
    }
}
