package org.p2pvm.transport.websocket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.contract.TcpFaultProxy;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.engine.contract.TunnelPair;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;

/**
 * A {@link TunnelHarness} with a real nginx reverse proxy in the path:
 * dialer → {@link TcpFaultProxy} → nginx → websocket server. Every {@link #open} binds a fresh
 * acceptor server (so each pair gets its own options) and nginx reaches it through its
 * {@code /port/N/p2pvm} route. {@link TunnelPair#killCarrier()} resets the dialer's TCP connection
 * to nginx, which then drops its upstream connection: the acceptor loses its link without a GOAWAY,
 * as behind a real proxy.
 */
final class NginxHarness implements TunnelHarness {
    private final NginxProcess nginx;
    private final Transport dialer = new WebSocketTransport(TransportConfig.builder().ioThreads(2).build());
    private final Transport acceptor = new WebSocketTransport(TransportConfig.builder().ioThreads(2).build());
    private final List<TransportServer> servers = new ArrayList<>();
    private final List<TcpFaultProxy> proxies = new ArrayList<>();

    /** Starts nginx; without it, every {@link #open} skips its test with the reason. */
    NginxHarness() throws Exception {
        this.nginx = NginxProcess.binary().isPresent() ? NginxProcess.start() : null;
    }

    @Override
    public TunnelPair open(TunnelOptions dialerOptions, TunnelOptions acceptorOptions, Consumer<Tunnel> onDialerOpen,
            Consumer<Tunnel> onAcceptorOpen) throws Exception {
        NginxProcess.assumeInstalled();
        CompletableFuture<Tunnel> accepted = new CompletableFuture<>();
        TransportServer server = acceptor.bind(URI.create("ws://127.0.0.1:0/p2pvm"), acceptorOptions, tunnel -> {
            if (accepted.isDone()) {
                tunnel.close();
                return;
            }
            try {
                if (onAcceptorOpen != null) {
                    onAcceptorOpen.accept(tunnel);
                }
                accepted.complete(tunnel);
            } catch (RuntimeException | Error e) {
                accepted.completeExceptionally(e);
                throw e;
            }
        }).get(10, TimeUnit.SECONDS);
        TcpFaultProxy proxy = new TcpFaultProxy(new java.net.InetSocketAddress("127.0.0.1", nginx.port()));
        synchronized (this) {
            servers.add(server);
            proxies.add(proxy);
        }
        URI front = nginx.front(server.uri());
        URI viaProxy = URI.create("ws://127.0.0.1:" + proxy.localAddress().getPort() + front.getRawPath());
        CompletableFuture<Tunnel> dialed = dialer.connect(viaProxy, dialerOptions)
                .thenCompose(tunnel -> onDialerOpen == null ? CompletableFuture.completedFuture(tunnel)
                        : CompletableFuture.supplyAsync(() -> {
                            onDialerOpen.accept(tunnel);
                            return tunnel;
                        }, tunnel.executor()));
        dialed.whenComplete((t, e) -> {
            if (e != null) {
                accepted.completeExceptionally(new IllegalStateException(
                        "the acceptor's tunnel never opened: the dialer failed", e));
            }
        });
        return new TunnelPair(dialed, accepted, proxy::killAll);
    }

    @Override
    public String name() {
        return "websocket→nginx→websocket";
    }

    /** Closes the servers gracefully (bounded), the proxies, both transports, then nginx. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        synchronized (this) {
            servers.forEach(s -> closing.add(s.closeAsync()));
        }
        try {
            CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0])).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // bounded: the transports close what is left
        }
        proxies.forEach(TcpFaultProxy::close);
        try {
            dialer.close();
            acceptor.close();
        } finally {
            try {
                if (nginx != null) {
                    nginx.close();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
