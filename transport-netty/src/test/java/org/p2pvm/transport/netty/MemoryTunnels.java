package org.p2pvm.transport.netty;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.net.URI;
import java.util.UUID;
import java.util.function.Consumer;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.memory.MemoryTransport;
import org.p2pvm.spi.TransportConfig;

/**
 * A tunnel pair over the engine's in-memory transport, whose executors are its own pool threads, not
 * Netty event loops: a stand-in for a non-Netty carrier (nio, grizzly, websocket), to exercise the
 * virtual channel's hand-off path. Test only.
 */
final class MemoryTunnels implements AutoCloseable {
    private final MemoryTransport transport = new MemoryTransport(TransportConfig.builder().ioThreads(2).build());
    final Tunnel dialer;

    MemoryTunnels(TunnelOptions options, Consumer<Tunnel> onAcceptorOpen) throws Exception {
        URI name = URI.create("memory:netty-test-" + UUID.randomUUID());
        transport.bind(name, options, t -> {
            if (onAcceptorOpen != null) {
                onAcceptorOpen.accept(t);
            }
        }).get(10, SECONDS);
        dialer = transport.connect(name, options).get(10, SECONDS);
    }

    @Override
    public void close() throws Exception {
        // not graceful: a test may leave streams open, and a graceful close would wait for them
        dialer.close(ErrorCode.CANCELLED, "test over");
        try {
            dialer.closeFuture().get(5, SECONDS);
        } finally {
            transport.close();
        }
    }
}
