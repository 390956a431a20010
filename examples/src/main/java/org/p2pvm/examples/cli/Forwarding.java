package org.p2pvm.examples.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.p2pvm.examples.forward.ForwardThreads;
import org.p2pvm.examples.forward.LocalListener;
import org.p2pvm.examples.forward.TcpForward;
import org.p2pvm.examples.forward.TunnelSource;

/**
 * The port forwarding of one {@code serve} or {@code connect} run: the forwards it serves on its
 * tunnels and the local listeners it feeds into them, with their shared copy-thread pool.
 * {@link #close()} stops the listeners (spliced connections end with their tunnel).
 */
final class Forwarding implements AutoCloseable {
    /** How long a new local connection waits for a tunnel that is down. */
    static final Duration TUNNEL_WAIT = Duration.ofSeconds(10);

    private final ExecutorService threads = ForwardThreads.newPool("p2pvm-splice");
    private final List<TcpForward> forwards = new ArrayList<>();
    private final List<LocalListener> listeners = new ArrayList<>();
    private final EventLog log;

    Forwarding(EventLog log) {
        this.log = log;
    }

    /** Builds one forward per spec. */
    List<TcpForward> forwards(List<ForwardSpecs.Forward> specs) {
        for (ForwardSpecs.Forward f : specs) {
            forwards.add(new TcpForward(f.address(), f.target(), threads, log::log));
        }
        return forwards;
    }

    /** Binds one listener per spec; a bind failure closes the ones bound so far and is a one-line failure. */
    List<LocalListener> listen(List<ForwardSpecs.Local> specs, TunnelSource tunnels) {
        for (ForwardSpecs.Local l : specs) {
            InetSocketAddress bind = new InetSocketAddress(l.bind().getHostString(), l.bind().getPort());
            if (bind.isUnresolved()) {
                close();
                throw new CliFailure("cannot listen on " + l.bind().getHostString() + ":" + l.bind().getPort()
                        + ": unknown host");
            }
            try {
                listeners.add(LocalListener.start(bind, l.destination(), tunnels, TUNNEL_WAIT, threads, log::log));
            } catch (IOException e) {
                close();
                throw new CliFailure("cannot listen on " + l.bind().getHostString() + ":" + l.bind().getPort()
                        + ": " + e.getMessage(), e);
            }
        }
        return listeners;
    }

    /** One line per listener for the log, e.g. {@code 127.0.0.1:8080 -> [::10]:80}. */
    List<String> describeListeners() {
        return listeners.stream().map(l -> hostPort(l.localAddress()) + " -> " + l.destination()).toList();
    }

    static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    @Override
    public void close() {
        listeners.forEach(LocalListener::close);
        threads.shutdown();
    }
}
