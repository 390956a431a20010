package org.p2pvm.engine.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP forwarder that sits between a dialer and a server so that a test can pull the cable:
 * {@link #killAll()} closes both sockets of every forwarded connection with RST (SO_LINGER 0), as a
 * crashed peer or a middlebox reset would, without any GOAWAY.
 *
 * <p>Plain blocking sockets, one daemon thread per direction of each connection (named
 * {@code fault-proxy-PORT-N-up/down}) and one accepting thread; fine for tests, not for load. A FIN
 * from one side is forwarded as a FIN (half close), after every byte read before it; a read error
 * (the side reset its end) resets both. A failed write only ends its own direction (the rest of what
 * that side sends is dropped): the receiver is gone, and the other direction, which reads from it,
 * sees how it went (EOF or reset) in order, after the bytes that preceded it. Bytes are counted in
 * both directions. Thread-safe.
 */
public final class TcpFaultProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpFaultProxy.class);

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();
    private final AtomicLong upstream = new AtomicLong();
    private final AtomicLong downstream = new AtomicLong();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean refusing = new AtomicBoolean();
    private final AtomicInteger refused = new AtomicInteger();

    /**
     * Listens on an ephemeral port of the target's loopback family (127.0.0.1 or ::1) and forwards
     * every connection to {@code target}.
     */
    public TcpFaultProxy(InetSocketAddress target) throws IOException {
        this.target = Objects.requireNonNull(target, "target");
        InetAddress bindAddress = target.getAddress() instanceof java.net.Inet6Address
                ? InetAddress.getByName("::1") : InetAddress.getByName("127.0.0.1");
        this.server = new ServerSocket(0, 50, bindAddress);
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-" + server.getLocalPort() + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Where dialers connect. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** The address every connection is forwarded to. */
    public InetSocketAddress target() {
        return target;
    }

    /** Bytes forwarded from dialers to the target. */
    public long bytesUpstream() {
        return upstream.get();
    }

    /** Bytes forwarded from the target back to dialers. */
    public long bytesDownstream() {
        return downstream.get();
    }

    /** Connections accepted so far. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /**
     * While {@code refuse} is true, every new connection is reset as soon as it is accepted, without
     * dialing the target: the peer is "down" for dialers while the real server keeps running.
     * Connections already forwarded are not touched (see {@link #killAll()}).
     */
    public void refuseNewConnections(boolean refuse) {
        refusing.set(refuse);
    }

    /** Connections reset at once because {@link #refuseNewConnections} was on. */
    public int connectionsRefused() {
        return refused.get();
    }

    /** Resets every forwarded connection at once (RST on both sides); the proxy keeps accepting. */
    public void killAll() {
        for (Pair p : List.copyOf(pairs)) {
            p.reset();
        }
    }

    /** Stops accepting and resets every forwarded connection. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.debug("fault proxy: closing the listener failed", e);
            }
            killAll();
        }
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (!closed.get()) {
                    LOG.warn("fault proxy on {}: accept failed, stopping", localAddress(), e);
                }
                return;
            }
            int n = accepted.incrementAndGet();
            if (refusing.get()) {
                refused.incrementAndGet();
                resetQuietly(client);
                continue;
            }
            try {
                Socket upstreamSocket = new Socket();
                upstreamSocket.setTcpNoDelay(true);
                upstreamSocket.connect(target, 10_000);
                client.setTcpNoDelay(true);
                Pair p = new Pair(client, upstreamSocket);
                pairs.add(p);
                if (closed.get()) {
                    p.reset();
                    return;
                }
                String name = "fault-proxy-" + server.getLocalPort() + "-" + n;
                p.start(name);
            } catch (IOException e) {
                LOG.warn("fault proxy: cannot reach {}; resetting the dialer", target, e);
                resetQuietly(client);
            }
        }
    }

    private static void resetQuietly(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        try {
            s.close();
        } catch (IOException e) {
            // nothing left to do
        }
    }

    /** One forwarded connection: the dialer's socket and the socket to the target. */
    private final class Pair {
        private final Socket client;
        private final Socket upstreamSocket;
        private final AtomicInteger directionsDone = new AtomicInteger();
        private final AtomicBoolean finished = new AtomicBoolean();

        Pair(Socket client, Socket upstreamSocket) {
            this.client = client;
            this.upstreamSocket = upstreamSocket;
        }

        void start(String name) {
            Thread up = new Thread(() -> pump(client, upstreamSocket, upstream), name + "-up");
            Thread down = new Thread(() -> pump(upstreamSocket, client, downstream), name + "-down");
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }

        private void pump(Socket from, Socket to, AtomicLong counter) {
            byte[] buf = new byte[64 * 1024];
            boolean writing = true;
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (!writing) {
                        continue; // the receiver is gone: drop, until the sender's EOF
                    }
                    try {
                        out.write(buf, 0, n);
                        counter.addAndGet(n);
                    } catch (IOException e) {
                        // not a reset of the other side: the direction reading from `to` reports it in order
                        writing = false;
                    }
                }
                if (writing) {
                    to.shutdownOutput(); // forward the FIN, after every byte before it
                }
                if (directionsDone.incrementAndGet() == 2) {
                    finish();
                }
            } catch (IOException e) {
                reset(); // this side reset its end (or the proxy was killed): the other must see a reset too
            }
        }

        /** Both directions ended with FIN: an orderly close. */
        private void finish() {
            if (finished.compareAndSet(false, true)) {
                pairs.remove(this);
                try {
                    client.close();
                } catch (IOException e) {
                    // ignore
                }
                try {
                    upstreamSocket.close();
                } catch (IOException e) {
                    // ignore
                }
            }
        }

        void reset() {
            if (finished.compareAndSet(false, true)) {
                pairs.remove(this);
                resetQuietly(client);
                resetQuietly(upstreamSocket);
            }
        }
    }
}
