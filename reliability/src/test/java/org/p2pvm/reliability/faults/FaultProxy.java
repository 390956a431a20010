package org.p2pvm.reliability.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy with the faults the kit's TcpFaultProxy lacks: a silent black hole (both
 * directions keep their sockets open but every byte is dropped: a half-open carrier), a cut after
 * exactly N bytes dialer→acceptor (then RST both ways), an RST (SO_LINGER 0) and an orderly close.
 * Blocking sockets, two pump threads per connection (daemon). Thread-safe.
 */
final class FaultProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean blackhole;
    private volatile long cutUpstreamAfter = Long.MAX_VALUE;
    private final AtomicLong upstream = new AtomicLong();

    FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "fault-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** From now on every byte in both directions is silently dropped; the sockets stay open. */
    void blackhole() {
        blackhole = true;
    }

    /** Forwards at most {@code bytes} dialer→acceptor bytes in total, then resets both sides. */
    void cutUpstreamAfter(long bytes) {
        cutUpstreamAfter = bytes;
    }

    long upstreamBytes() {
        return upstream.get();
    }

    /** Resets every proxied connection (SO_LINGER 0: RST). */
    void killRst() {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    /** Closes every proxied connection in an orderly way (FIN). */
    void closeFin() {
        for (Socket s : sockets) {
            try {
                s.shutdownOutput();
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(target, 5000);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                pump(client, server, true);
                pump(server, client, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean up) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                    int n = in.read(buf);
                    if (n < 0) {
                        if (!blackhole) { // a black hole forwards nothing, not even the end
                            to.shutdownOutput();
                        }
                        return;
                    }
                    if (blackhole) {
                        continue;
                    }
                    if (up) {
                        long before = upstream.getAndAdd(n);
                        long allowed = cutUpstreamAfter - before;
                        if (allowed < n) {
                            if (allowed > 0) {
                                out.write(buf, 0, (int) allowed);
                                out.flush();
                            }
                            killRst();
                            return;
                        }
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // a side closed or was reset
            }
        }, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        killRst();
    }
}
