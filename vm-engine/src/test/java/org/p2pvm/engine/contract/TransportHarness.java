package org.p2pvm.engine.contract;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TunnelHarness} for socket transports: the acceptor transport binds a server (a new one
 * for every {@link #open}), a {@link TcpFaultProxy} is put in front of it, and the dialer transport
 * dials the proxy (the server's {@link TransportServer#uri()} with host and port replaced by the
 * proxy's, so {@code ws://.../path} keeps its path). {@link TunnelPair#killCarrier()} resets the
 * proxied TCP connection on both sides.
 *
 * <p>Callbacks: {@code onAcceptorOpen} runs on the acceptor tunnel's executor from the transport's
 * {@code onTunnel}, before any frame after the handshake. {@code onDialerOpen} runs on the dialer
 * tunnel's executor once {@link Transport#connect} has completed, so <em>after</em> the dialer is
 * open: a frame from the acceptor may be processed before it (tests that connect from the acceptor
 * to the dialer wait for the dialer's LISTEN with {@link Tunnel#awaitRemoteListen}).
 *
 * <p>A failed handshake fails the dialer future with the transport's exception. The acceptor's side
 * of a failed handshake is not visible through {@link Transport#bind} (it is only logged), so the
 * acceptor future then fails with an {@link IllegalStateException} whose cause is the dialer's
 * failure.
 *
 * <p>Thread-safe enough for one test class: {@link #open} may be called from several threads.
 */
public class TransportHarness implements TunnelHarness {
    private static final Logger LOG = LoggerFactory.getLogger(TransportHarness.class);

    private final String name;
    private final Transport dialerTransport;
    private final Transport acceptorTransport;
    private final URI bindUri;
    private final List<TransportServer> servers = new ArrayList<>();
    private org.p2pvm.TlsOptions dialerTls;
    private org.p2pvm.TlsOptions acceptorTls;
    private final List<TcpFaultProxy> proxies = new ArrayList<>();

    /**
     * @param name for reports, e.g. {@code "nio→netty"}
     * @param dialerTransport made once, here
     * @param acceptorTransport made once, here (may return the same kind as the dialer's)
     * @param bindUri where the acceptor binds, with port 0, e.g. {@code tcp://127.0.0.1:0}
     */
    public TransportHarness(String name, Supplier<Transport> dialerTransport, Supplier<Transport> acceptorTransport,
            URI bindUri) {
        this.name = Objects.requireNonNull(name, "name");
        this.bindUri = Objects.requireNonNull(bindUri, "bindUri");
        this.dialerTransport = Objects.requireNonNull(dialerTransport.get(), "dialer transport");
        this.acceptorTransport = Objects.requireNonNull(acceptorTransport.get(), "acceptor transport");
    }

    /**
     * Runs every pair over TLS: the dialer's and the acceptor's options get these TLS settings (e.g.
     * {@link TestPki#clientTls()} and {@link TestPki#serverTls()}), whatever the scenario asked.
     */
    public TransportHarness withTls(org.p2pvm.TlsOptions dialer, org.p2pvm.TlsOptions acceptor) {
        this.dialerTls = dialer;
        this.acceptorTls = acceptor;
        return this;
    }

    @Override
    public TunnelPair open(TunnelOptions dialerOptions, TunnelOptions acceptorOptions, Consumer<Tunnel> onDialerOpen,
            Consumer<Tunnel> onAcceptorOpen) throws Exception {
        CompletableFuture<Tunnel> acceptor = new CompletableFuture<>();
        if (acceptorTls != null) {
            acceptorOptions = acceptorOptions.toBuilder().tls(acceptorTls).build();
            dialerOptions = dialerOptions.toBuilder().tls(dialerTls).build();
        }
        TransportServer server = acceptorTransport.bind(bindUri, acceptorOptions, tunnel -> {
            if (acceptor.isDone()) {
                LOG.warn("{}: a second carrier reached this harness's server; closing it", name);
                tunnel.close();
                return;
            }
            try {
                if (onAcceptorOpen != null) {
                    onAcceptorOpen.accept(tunnel);
                }
                acceptor.complete(tunnel);
            } catch (RuntimeException | Error e) {
                acceptor.completeExceptionally(e);
                throw e;
            }
        }).get(10, TimeUnit.SECONDS);
        TcpFaultProxy proxy;
        synchronized (this) {
            servers.add(server);
            proxy = new TcpFaultProxy(server.localAddress());
            proxies.add(proxy);
        }
        URI dialUri = withAddress(server.uri(), proxy.localAddress());
        CompletableFuture<Tunnel> dialer = dialerTransport.connect(dialUri, dialerOptions)
                .thenCompose(tunnel -> onDialerOpen == null ? CompletableFuture.completedFuture(tunnel)
                        : CompletableFuture.supplyAsync(() -> {
                            onDialerOpen.accept(tunnel);
                            return tunnel;
                        }, tunnel.executor()));
        dialer.whenComplete((t, e) -> {
            if (e != null) {
                acceptor.completeExceptionally(new IllegalStateException(
                        "the acceptor's tunnel never opened: the dialer failed (a transport reports the acceptor's "
                                + "handshake failures only in its log)", e));
            }
        });
        return new TunnelPair(dialer, acceptor, proxy::killAll);
    }

    /** {@code uri} with its host and port replaced by {@code address}'s, keeping scheme, path and query. */
    static URI withAddress(URI uri, InetSocketAddress address) throws URISyntaxException {
        String host = address.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            int zone = host.indexOf('%');
            host = "[" + (zone >= 0 ? host.substring(0, zone) : host) + "]";
        }
        return new URI(uri.getScheme(), uri.getUserInfo(), host, address.getPort(), uri.getPath(), uri.getQuery(),
                uri.getFragment());
    }

    @Override
    public String name() {
        return name;
    }

    /** Closes the servers gracefully (bounded wait), then the proxies, then both transports. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        List<TcpFaultProxy> toClose;
        synchronized (this) {
            for (TransportServer s : servers) {
                closing.add(s.closeAsync());
            }
            toClose = List.copyOf(proxies);
            servers.clear();
            proxies.clear();
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("{}: servers did not close within 10 s", name, e);
        }
        toClose.forEach(TcpFaultProxy::close);
        try {
            dialerTransport.close();
        } finally {
            if (acceptorTransport != dialerTransport) {
                acceptorTransport.close();
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
