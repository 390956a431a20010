package org.p2pvm.engine.memory;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.TunnelEngine;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.engine.contract.TunnelPair;

/**
 * Runs the contract kit over {@link MemoryCarrier} pairs made directly (no transport): each
 * {@link #open} makes a new {@link MemoryLink} (seed = the settings' seed plus the open's number) and
 * starts the engine on both ends; {@link TunnelPair#killCarrier()} is {@link MemoryLink#kill()}. Both
 * callbacks run on their tunnel's executor when its handshake succeeds, before any later frame.
 * The harness owns a pool of two daemon threads, shut down by {@link #close()}.
 */
public final class MemoryHarness implements TunnelHarness {
    private final String name;
    private final MemoryLink.Settings settings;
    private final ScheduledThreadPoolExecutor pool;
    private final List<MemoryLink> links = new CopyOnWriteArrayList<>();
    private final AtomicLong opens = new AtomicLong();

    public MemoryHarness(String name, MemoryLink.Settings settings) {
        this.name = Objects.requireNonNull(name, "name");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.pool = MemoryThreads.newPool(2, "memory-harness", this);
    }

    @Override
    public TunnelPair open(TunnelOptions dialerOptions, TunnelOptions acceptorOptions, Consumer<Tunnel> onDialerOpen,
            Consumer<Tunnel> onAcceptorOpen) {
        long n = opens.incrementAndGet();
        MemoryLink link = MemoryCarrier.pair(settings.toBuilder().seed(settings.seed() + n).build(), name + "#" + n,
                pool);
        links.add(link);
        CompletableFuture<Tunnel> acceptor = start(link, link.acceptor(), acceptorOptions, onAcceptorOpen);
        CompletableFuture<Tunnel> dialer = start(link, link.dialer(), dialerOptions, onDialerOpen);
        return new TunnelPair(dialer, acceptor, link::kill);
    }

    private static CompletableFuture<Tunnel> start(MemoryLink link, MemoryCarrier end, TunnelOptions options,
            Consumer<Tunnel> onOpen) {
        CompletableFuture<Tunnel> opened = new CompletableFuture<>();
        end.executor().execute(() -> {
            try {
                TunnelEngine.TunnelSession session = TunnelEngine.open(end, options, tunnel -> {
                    try {
                        if (onOpen != null) {
                            onOpen.accept(tunnel);
                        }
                        opened.complete(tunnel);
                    } catch (RuntimeException | Error e) {
                        opened.completeExceptionally(e);
                        throw e;
                    }
                });
                end.setListener(session);
                session.handshake().whenComplete((t, e) -> {
                    if (e != null) {
                        opened.completeExceptionally(e);
                    }
                });
            } catch (RuntimeException | Error e) {
                opened.completeExceptionally(e);
                link.kill();
            }
        });
        return opened;
    }

    @Override
    public String name() {
        return name;
    }

    /** Kills every link still up and stops the threads. */
    @Override
    public void close() {
        links.forEach(MemoryLink::kill);
        links.clear();
        pool.shutdown();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
