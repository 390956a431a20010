package org.p2pvm.engine.contract;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.engine.CarrierListener;

/** The kit's reference carrier at byte level: the last bytes before a close arrive, both ways. */
@Timeout(30)
class BlockingSocketCarrierTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private ServerSocket server;
    private Socket peer;
    private BlockingSocketCarrier carrier;
    private final Listener listener = new Listener();

    /** Records bytes and the close; executor-confined but for the futures. */
    static final class Listener implements CarrierListener {
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final CompletableFuture<byte[]> closedWith = new CompletableFuture<>();
        volatile Throwable cause;

        @Override
        public void onRead(ByteBuffer data) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            received.write(b, 0, b.length);
        }

        @Override
        public void onWritable() {
        }

        @Override
        public void onClosed(Throwable failure) {
            cause = failure;
            closedWith.complete(received.toByteArray());
        }
    }

    @BeforeEach
    void connect() throws Exception {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        SocketChannel ch = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                server.getLocalPort()));
        peer = server.accept();
        peer.setSoTimeout(20_000);
        carrier = new BlockingSocketCarrier(ch, true, pool);
        CompletableFuture<Void> started = new CompletableFuture<>();
        carrier.executor().execute(() -> {
            carrier.start(listener, "test");
            started.complete(null);
        });
        started.get(10, SECONDS);
    }

    @AfterEach
    void close() throws Exception {
        peer.close();
        server.close();
        carrier.close(false);
        pool.shutdownNow();
    }

    @Test
    void closeWithFlushWhileThePeerStillSendsDeliversEveryByteThenEof() throws Exception {
        byte[] big = ClosePeers.pattern(8 << 20);
        carrier.executor().execute(() -> {
            carrier.write(new ByteBuffer[] {ByteBuffer.wrap(big)}, 1, failure -> { });
            carrier.close(true);
        });
        assertEquals(big.length, ClosePeers.readToEofWhileSending(peer));
        peer.shutdownOutput();
        listener.closedWith.get(10, SECONDS);
        assertNull(listener.cause);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 4 << 20})
    void peerWritesThenClosesEveryByteIsDeliveredBeforeOnClosed(int n) throws Exception {
        ClosePeers.writeThenClose(peer, n);
        assertArrayEquals(ClosePeers.pattern(n), listener.closedWith.get(10, SECONDS));
        assertNull(listener.cause);
    }
}
