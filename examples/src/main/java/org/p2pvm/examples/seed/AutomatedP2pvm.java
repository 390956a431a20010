package org.p2pvm.examples.seed;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.Transport;

/**
 * Seed example "automated P2PVM": a dialer that keeps its tunnel up by itself. Whenever the tunnel
 * closes it dials again with exponential backoff and jitter, and hands every new tunnel to
 * {@code onReady} (reinstall servers there). This is the loop behind {@code p2pvm connect
 * --local/--expose}, reduced to its core; {@code SeedExamplesTest#automatedReconnectsAfterCarrierKills}
 * kills the carrier under it.
 * Runs on the calling thread until that thread is interrupted.
 */
public final class AutomatedP2pvm {
    private final Transport transport;
    private final URI peer;
    private final TunnelOptions options;
    private final Consumer<Tunnel> onReady;

    public AutomatedP2pvm(Transport transport, URI peer, TunnelOptions options, Consumer<Tunnel> onReady) {
        this.transport = transport;
        this.peer = peer;
        this.options = options;
        this.onReady = onReady;
    }

    /** Keeps a tunnel open until interrupted; closes the last one on the way out. */
    public void run() throws InterruptedException {
        long backoffMillis = 100;
        Tunnel tunnel = null;
        try {
            while (true) {
                try {
                    tunnel = transport.connect(peer, options).get(options.handshakeTimeout().plusSeconds(10).toMillis(),
                            TimeUnit.MILLISECONDS);
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    long wait = backoffMillis / 2 + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1);
                    System.out.println("dial failed (" + e.getCause() + "), retrying in " + wait + " ms");
                    Thread.sleep(wait); // a pause between attempts, not synchronisation
                    backoffMillis = Math.min(backoffMillis * 2, Duration.ofSeconds(10).toMillis());
                    continue;
                }
                backoffMillis = 100;
                System.out.println("tunnel ready: " + tunnel.carrierLocalAddress() + " -> " + tunnel.carrierRemoteAddress());
                onReady.accept(tunnel);
                CompletableFuture<?> closed = tunnel.closeFuture();
                System.out.println("tunnel closed: " + get(closed));
            }
        } finally {
            if (tunnel != null) {
                tunnel.close();
            }
        }
    }

    private static Object get(CompletableFuture<?> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }
}
