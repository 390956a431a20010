package org.p2pvm.transport.grizzly.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.HandshakeException;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.CarrierListener;
import org.p2pvm.engine.TunnelEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open tunnels of a transport or server, and the {@link CarrierBinding}s that start the engine on
 * new carriers and record the tunnels here until they close. Thread-safe.
 */
public final class TunnelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelRegistry.class);

    private final Set<Tunnel> tunnels = ConcurrentHashMap.newKeySet();
    private final TunnelRegistry parent;

    /** @param parent also records every tunnel of this registry (a transport above its servers); may be null */
    public TunnelRegistry(TunnelRegistry parent) {
        this.parent = parent;
    }

    /** The tunnels open now (a live view). */
    public Collection<Tunnel> tunnels() {
        return java.util.Collections.unmodifiableSet(tunnels);
    }

    private void add(Tunnel tunnel) {
        tunnels.add(tunnel);
        if (parent != null) {
            parent.add(tunnel);
        }
        tunnel.closeFuture().whenComplete((r, e) -> remove(tunnel));
    }

    private void remove(Tunnel tunnel) {
        tunnels.remove(tunnel);
        if (parent != null) {
            parent.remove(tunnel);
        }
    }

    /**
     * A binding that completes {@code result} with the tunnel after
     * its handshake, or with the handshake failure.
     */
    public CarrierBinding opener(TunnelOptions options, Consumer<? super Tunnel> onOpen, CompletableFuture<Tunnel> result) {
        return new CarrierBinding() {
            @Override
            public CarrierListener open(GrizzlyCarrier carrier) {
                TunnelEngine.TunnelSession session;
                try {
                    session = TunnelEngine.open(carrier, options, onOpen);
                } catch (RuntimeException | Error e) {
                    result.completeExceptionally(e);
                    throw e;
                }
                add(session.tunnel());
                session.handshake().whenComplete((t, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(t);
                    }
                });
                return session;
            }

            @Override
            public void failed(Throwable cause) {
                IOException e = new IOException("the link failed before the tunnel started: " + cause.getMessage());
                e.initCause(cause);
                result.completeExceptionally(e);
            }
        };
    }

    /** A binding for an accepting side: {@code onTunnel} runs after each successful handshake. */
    public CarrierBinding acceptor(TunnelOptions options, Consumer<? super Tunnel> onTunnel) {
        org.p2pvm.engine.HandshakeGate handshakes = org.p2pvm.engine.HandshakeGate.of(options); // this acceptor's backlog, §10
        return carrier -> {
            TunnelEngine.TunnelSession session = TunnelEngine.accept(carrier, options, onTunnel, handshakes);
            add(session.tunnel());
            session.handshake().whenComplete((t, e) -> {
                if (e != null) {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof HandshakeException) {
                        LOG.info("handshake with {} failed: {}", carrier.remoteAddress(), cause.getMessage());
                    } else {
                        LOG.info("link from {} closed before the handshake: {}", carrier.remoteAddress(), cause.toString());
                    }
                }
            });
            return session;
        };
    }

    /** Closes every tunnel with GOAWAY SHUTDOWN; the future completes when all have closed. */
    public CompletableFuture<Void> shutdown(String reason) {
        List<Tunnel> all = List.copyOf(tunnels);
        CompletableFuture<?>[] closed = new CompletableFuture<?>[all.size()];
        for (int i = 0; i < all.size(); i++) {
            Tunnel t = all.get(i);
            // completes once the tunnel has left the registry (dependents of one future run in no set order)
            closed[i] = t.closeFuture().handle((r, e) -> {
                remove(t);
                return null;
            });
            t.close(ErrorCode.SHUTDOWN, reason);
        }
        return CompletableFuture.allOf(closed);
    }

    /** Waits for {@code f} up to {@code timeout}, unless called on a thread that must not block. */
    public static void await(CompletableFuture<?> f, Duration timeout) {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("tunnels did not all close in {}", timeout, e);
        }
    }
}
