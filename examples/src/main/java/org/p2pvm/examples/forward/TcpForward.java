package org.p2pvm.examples.forward;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/**
 * A virtual server that forwards every virtual connection to a real TCP endpoint ({@code serve
 * --forward} and {@code connect --expose}): per connection it dials {@code target} and
 * {@link Splice splices} the two. The acceptor runs on the tunnel's executor and only hands off;
 * the TCP dial happens on a copy thread, and a failed dial resets the virtual connection with
 * REFUSED so the remote client sees its connection refused.
 *
 * <p>One instance may be installed on any number of tunnels. Thread-safe.
 */
public final class TcpForward {
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final VmAddress address;
    private final InetSocketAddress target;
    private final Executor threads;
    private final Consumer<String> log;
    private final VmServer server;

    /**
     * @param log receives one line per failed dial (from a copy thread)
     */
    public TcpForward(VmAddress address, InetSocketAddress target, Executor threads, Consumer<String> log) {
        this.address = address;
        this.target = target;
        this.threads = threads;
        this.log = log;
        this.server = VmServer.builder().name("forward to " + describe(target)).listen(address)
                .acceptor(this::onConnection).build();
    }

    /** The virtual server to install on tunnels. */
    public VmServer vmServer() {
        return server;
    }

    /** The virtual address it listens on. */
    public VmAddress address() {
        return address;
    }

    /** The real endpoint it dials. */
    public InetSocketAddress target() {
        return target;
    }

    private void onConnection(VmConnection connection) {
        // Taking the blocking reader now stops handler delivery; data waits in the stream window.
        InputStream vmIn = connection.inputStream();
        threads.execute(() -> {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                InetSocketAddress resolved = target.isUnresolved()
                        ? new InetSocketAddress(target.getHostString(), target.getPort()) : target;
                socket.connect(resolved, CONNECT_TIMEOUT_MILLIS);
            } catch (IOException e) {
                log.accept("forward " + address + " -> " + describe(target) + ": cannot connect: " + e.getMessage());
                connection.reset(ErrorCode.REFUSED);
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // never connected
                }
                return;
            }
            Splice.start(socket, connection, vmIn, threads, log);
        });
    }

    static String describe(InetSocketAddress a) {
        String host = a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
