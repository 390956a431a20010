package org.p2pvm.transport.nio.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.spi.TransportConfig;

/**
 * A {@link NioCarrier} on one loop, connected over loopback to a plain blocking socket the test
 * drives as the peer, with a {@link RecordingListener} instead of the engine.
 */
final class CarrierFixture implements AutoCloseable {
    final NioSettings settings;
    final NioLoopGroup group;
    final NioLoop loop;
    final Socket peer;
    final NioCarrier carrier;
    final RecordingListener listener;

    private CarrierFixture(TransportConfig config, int peerReceiveBuffer) throws Exception {
        settings = NioSettings.of(config);
        group = new NioLoopGroup(1, "carrier-test", settings.readBufferSize(), true);
        loop = group.loops().get(0);
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            if (peerReceiveBuffer > 0) {
                server.setOption(StandardSocketOptions.SO_RCVBUF, peerReceiveBuffer);
            }
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel ch = SocketChannel.open(server.getLocalAddress());
            peer = server.accept().socket();
            peer.setTcpNoDelay(true);
            NioSockets.configure(ch, settings);
            listener = new RecordingListener(loop);
            carrier = onLoop(() -> {
                NioCarrier c = NioCarrier.open(loop, ch, true, settings);
                c.attach(listener);
                return c;
            });
        }
    }

    static CarrierFixture open() throws Exception {
        return new CarrierFixture(TransportConfig.defaults(), 0);
    }

    /**
     * A small send buffer on the carrier, a small receive buffer on the peer, and small water marks,
     * so that a peer which does not read blocks writes soon. (Receive buffers are set before the
     * connection exists: shrinking one afterwards leaves a window below the loopback MSS, and TCP
     * then crawls on its persist timer.)
     */
    static CarrierFixture openSmall(int highWaterMark) throws Exception {
        return open(smallConfig(highWaterMark).build());
    }

    /** The settings of {@link #openSmall}, to add more to. */
    static TransportConfig.Builder smallConfig(int highWaterMark) {
        return TransportConfig.builder()
                .property(NioSettings.WRITE_HIGH_WATER_MARK, Integer.toString(highWaterMark))
                .property(NioSettings.WRITE_LOW_WATER_MARK, Integer.toString(highWaterMark / 4))
                .property(NioSettings.SEND_BUFFER_SIZE, "8192");
    }

    /** With a small peer receive buffer, as {@link #openSmall}. */
    static CarrierFixture open(TransportConfig config) throws Exception {
        return new CarrierFixture(config, 8192);
    }

    /** Runs {@code task} on the loop and waits for its result. */
    <T> T onLoop(Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(10, SECONDS);
    }

    void onLoopRun(Runnable task) throws Exception {
        onLoop(() -> {
            task.run();
            return null;
        });
    }

    InputStream peerIn() throws IOException {
        return peer.getInputStream();
    }

    OutputStream peerOut() throws IOException {
        return peer.getOutputStream();
    }

    /** The listener was only ever called on the loop, and onClosed at most once. */
    void assertListenerSane() {
        assertNull(listener.violation, listener.violation);
    }

    @Override
    public void close() throws Exception {
        try {
            peer.close();
        } finally {
            group.shutdown().get(10, SECONDS);
        }
    }
}
