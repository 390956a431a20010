package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.net.URI;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;

/** Two netty transports on loopback and one tunnel between them; the acceptor side runs {@code onAccepted}. */
final class TunnelFixture implements AutoCloseable {
    final NettyTransport serverTransport;
    final NettyTransport clientTransport;
    final TransportServer bound;
    final Tunnel client;

    TunnelFixture(TunnelOptions options, Consumer<Tunnel> onAccepted) throws Exception {
        TransportConfig cfg = TransportConfig.builder().ioThreads(2).build();
        serverTransport = new NettyTransport(cfg);
        clientTransport = new NettyTransport(cfg);
        bound = serverTransport.bind(URI.create("tcp://127.0.0.1:0"), options, onAccepted::accept).get(10, SECONDS);
        client = clientTransport.connect(bound.uri(), options).get(10, SECONDS);
    }

    @Override
    public void close() {
        clientTransport.close();
        serverTransport.close();
    }
}
