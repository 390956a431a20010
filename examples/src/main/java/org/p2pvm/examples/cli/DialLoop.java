package org.p2pvm.examples.cli;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.examples.forward.LiveTunnels;
import org.p2pvm.examples.forward.TcpForward;
import org.p2pvm.examples.support.Failures;
import org.p2pvm.spi.Transport;

/**
 * The long-running side of {@code connect --local/--expose}: keeps one tunnel open to the peer,
 * reconnecting with {@link Backoff} whenever it closes, and on every new tunnel installs the exposed
 * forwards, hands the tunnel to the local listeners ({@link LiveTunnels}) and logs
 * {@code tunnel ready}. Runs on the command's thread until that thread is interrupted.
 *
 * <p>The first dial is not retried: a wrong address, token or certificate shows up at once as a
 * one-line failure (exit 1). Once a tunnel has been up, every later failure is retried forever, since
 * the peer may be restarting or the network recovering.
 */
final class DialLoop {
    private final Transport transport;
    private final URI peer;
    private final TunnelOptions options;
    private final List<TcpForward> exposes;
    private final LiveTunnels live;
    private final EventLog log;
    private final Backoff backoff;
    private final AtomicReference<Tunnel> current = new AtomicReference<>();

    DialLoop(Transport transport, URI peer, TunnelOptions options, List<TcpForward> exposes, LiveTunnels live,
            EventLog log, Duration initialBackoff, Duration maxBackoff) {
        this.transport = transport;
        this.peer = peer;
        this.options = options;
        this.exposes = exposes;
        this.live = live;
        this.log = log;
        this.backoff = new Backoff(initialBackoff, maxBackoff);
    }

    /** The tunnel open now, or null. */
    Tunnel current() {
        return current.get();
    }

    /**
     * Dials, serves, and redials until interrupted; then closes the tunnel with CANCELLED.
     *
     * @param first the tunnel the command opened (and reported) itself
     */
    void run(Tunnel first) throws InterruptedException {
        Tunnel tunnel = first;
        try {
            while (true) {
                if (tunnel != null) {
                    String reason = serve(tunnel);
                    current.compareAndSet(tunnel, null);
                    log.log("tunnel closed: " + reason + "; reconnecting");
                }
                tunnel = redial();
            }
        } finally {
            Tunnel t = current.getAndSet(null);
            if (t != null) {
                t.close(ErrorCode.CANCELLED, "p2pvm connect stopped");
                try {
                    t.closeFuture().get(2, TimeUnit.SECONDS);
                } catch (Exception e) {
                    // stopping anyway
                }
            }
        }
    }

    /** Installs the exposes, publishes the tunnel, and waits until it closes; the close reason. */
    private String serve(Tunnel tunnel) throws InterruptedException {
        current.set(tunnel);
        try {
            for (TcpForward f : exposes) {
                Await.get(tunnel.install(f.vmServer()), Duration.ofSeconds(10), "cannot expose " + f.address());
            }
            live.add(tunnel);
            log.log("tunnel ready to " + peer + " (carrier " + tunnel.carrierLocalAddress() + " -> "
                    + tunnel.carrierRemoteAddress() + ")");
            backoff.reset();
            return String.valueOf(tunnel.closeFuture().get());
        } catch (CliFailure e) {
            // The tunnel died while installing, or the peer refused: start over on a new one.
            tunnel.close();
            return e.getMessage();
        } catch (ExecutionException e) {
            return Failures.describe(e);
        }
        // On InterruptedException the tunnel stays current: run() closes it with CANCELLED.
    }

    /** Waits the next backoff and dials once; null when that attempt failed. */
    private Tunnel redial() throws InterruptedException {
        Duration wait = backoff.next();
        Thread.sleep(wait.toMillis()); // a pause between attempts, not synchronisation
        CompletableFuture<Tunnel> dial = transport.connect(peer, options);
        try {
            return dial.get(options.handshakeTimeout().plusSeconds(20).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            dial.cancel(false);
            log.log("reconnect to " + peer + " failed: " + Failures.describe(e));
            return null;
        }
    }
}
