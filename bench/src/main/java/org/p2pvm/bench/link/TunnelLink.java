package org.p2pvm.bench.link;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * Two ends of one tunnel in this JVM over a named transport: the acceptor binds on loopback port 0
 * (or {@code memory:NAME}), the dialer dials its {@link TransportServer#uri()}, optionally through a
 * {@link DelayProxy}. The {@link BenchServers} are installed on the accepting end before
 * {@link #open} returns. Owned by one scenario thread; {@link #close()} releases transports, server and
 * proxy.
 */
public final class TunnelLink implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();

    private final Transport serverTransport;
    private final Transport clientTransport;
    private final TransportServer server;
    private final DelayProxy proxy;
    private final Tunnel client;
    private final Tunnel accepted;
    private final BenchServers servers;

    private TunnelLink(Transport st, Transport ct, TransportServer server, DelayProxy proxy, Tunnel client,
            Tunnel accepted, BenchServers servers) {
        this.serverTransport = st;
        this.clientTransport = ct;
        this.server = server;
        this.proxy = proxy;
        this.client = client;
        this.accepted = accepted;
        this.servers = servers;
    }

    /**
     * Opens a tunnel over {@code transport}.
     *
     * @param oneWayDelayMillis 0 for a direct link, else the delay of a {@link DelayProxy} in between
     */
    public static TunnelLink open(String transport, TunnelOptions options, long oneWayDelayMillis) throws Exception {
        return open(transport, options, oneWayDelayMillis, TransportConfig.defaults());
    }

    /** As {@link #open(String, TunnelOptions, long)}, with transport properties for both ends. */
    public static TunnelLink open(String transport, TunnelOptions options, long oneWayDelayMillis,
            TransportConfig config) throws Exception {
        boolean memory = "memory".equals(transport);
        Transport st = Transports.get(transport, config);
        // memory has no socket to proxy: its links delay by themselves
        Transport ct = memory && oneWayDelayMillis > 0 ? Transports.get(transport, TransportConfig.builder()
                .property("memory.oneWayDelayMillis", String.valueOf(oneWayDelayMillis)).build())
                : Transports.get(transport, config);
        CompletableFuture<Tunnel> acceptedF = new CompletableFuture<>();
        URI bindUri = memory ? URI.create("memory:bench-" + NAMES.incrementAndGet())
                : URI.create("tcp://127.0.0.1:0");
        TransportServer server = st.bind(bindUri, options, acceptedF::complete).get(10, TimeUnit.SECONDS);
        DelayProxy proxy = null;
        URI dial = server.uri();
        if (oneWayDelayMillis > 0 && !memory) {
            proxy = new DelayProxy(server.localAddress(), oneWayDelayMillis, 64 << 20);
            dial = withAddress(dial, proxy.address());
        }
        Tunnel client = ct.connect(dial, options).get(10, TimeUnit.SECONDS);
        Tunnel accepted = acceptedF.get(10, TimeUnit.SECONDS);
        BenchServers servers = new BenchServers();
        servers.installOn(accepted);
        for (var a : BenchServers.ADDRESSES) {
            client.awaitRemoteListen(a).get(10, TimeUnit.SECONDS);
        }
        return new TunnelLink(st, ct, server, proxy, client, accepted, servers);
    }

    static URI withAddress(URI uri, InetSocketAddress a) throws URISyntaxException {
        return new URI(uri.getScheme(), uri.getUserInfo(), a.getHostString(), a.getPort(), uri.getPath(),
                uri.getQuery(), uri.getFragment());
    }

    /** The dialling end, where scenarios open streams. */
    public Tunnel client() {
        return client;
    }

    /** The accepting end, where {@link BenchServers} run. */
    public Tunnel accepted() {
        return accepted;
    }

    /** The servers' shared state (the held-bytes counters). */
    public BenchServers servers() {
        return servers;
    }

    @Override
    public void close() {
        // streams of an endless scenario (fairness) may still run: no graceful drain
        client.close(org.p2pvm.ErrorCode.CANCELLED, "bench done");
        try {
            client.closeFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the transports close below anyway
        }
        server.close();
        if (proxy != null) {
            proxy.close();
        }
        clientTransport.close();
        serverTransport.close();
    }
}
