package org.p2pvm.transport.websocket;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import org.p2pvm.Tunnel;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/** A virtual echo server and a client check, for tests that need a tunnel to carry something. */
final class Echo {
    static final VmAddress ADDRESS = VmAddress.parse("[::99]:7");

    private Echo() {
    }

    /** Echoes every byte back and half-closes after the peer's FIN. */
    static VmServer server() {
        return VmServer.listen(ADDRESS, conn -> conn.setHandler(new VmConnection.Handler() {
            @Override
            public void onData(VmConnection c, ByteBuffer data) {
                ByteBuffer copy = ByteBuffer.allocate(data.remaining());
                copy.put(data).flip();
                c.write(copy);
            }

            @Override
            public void onInputShutdown(VmConnection c) {
                c.shutdownOutput();
            }
        }));
    }

    /** Sends {@code bytes} random bytes through the echo server on {@code tunnel} and checks the answer. */
    static void roundTrip(Tunnel tunnel, int bytes) throws Exception {
        tunnel.awaitRemoteListen(ADDRESS).get(30, SECONDS);
        VmConnection c = tunnel.connect(ADDRESS).get(30, SECONDS);
        byte[] data = new byte[bytes];
        new Random(bytes).nextBytes(data);
        Thread writer = new Thread(() -> {
            try (OutputStream out = c.outputStream()) {
                out.write(data);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "echo-writer");
        writer.start();
        InputStream in = c.inputStream();
        byte[] got = in.readAllBytes();
        writer.join(10_000);
        assertArrayEquals(data, got);
    }
}
