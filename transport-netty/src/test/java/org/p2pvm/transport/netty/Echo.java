package org.p2pvm.transport.netty;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/** Test helpers over the plain VmConnection API: an echo server and a collecting client. */
final class Echo {
    private Echo() {
    }

    /** A server that writes back what it reads and half-closes when the peer does. */
    static VmServer server(VmAddress address) {
        return VmServer.listen(address, conn -> conn.setHandler(new VmConnection.Handler() {
            @Override
            public void onData(VmConnection c, ByteBuffer data) {
                ByteBuffer copy = ByteBuffer.allocate(data.remaining());
                copy.put(data).flip();
                c.write(copy, null);
            }

            @Override
            public void onInputShutdown(VmConnection c) {
                c.shutdownOutput();
            }
        }));
    }

    /** Reads everything until the peer's FIN. */
    static CompletableFuture<byte[]> readAll(VmConnection conn) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        conn.setHandler(new VmConnection.Handler() {
            @Override
            public void onData(VmConnection c, ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                out.writeBytes(b);
            }

            @Override
            public void onInputShutdown(VmConnection c) {
                done.complete(out.toByteArray());
            }

            @Override
            public void onClosed(VmConnection c, Throwable failure) {
                if (failure != null) {
                    done.completeExceptionally(failure);
                }
            }
        });
        return done;
    }
}
