package org.p2pvm.engine.contract;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.p2pvm.VmConnection;

/** Small {@link VmConnection.Handler}s for the scenarios; all run on the tunnel's executor. */
final class Handlers {
    private Handlers() {
    }

    /** Consumes and drops whatever arrives. */
    static VmConnection.Handler discard() {
        return (conn, data) -> data.position(data.limit());
    }

    /** Drops data; completes {@code closed} with the stream's failure (null when clean). */
    static VmConnection.Handler onClosed(CompletableFuture<Throwable> closed) {
        return new VmConnection.Handler() {
            @Override
            public void onData(VmConnection connection, ByteBuffer data) {
                data.position(data.limit());
            }

            @Override
            public void onClosed(VmConnection connection, Throwable failure) {
                closed.complete(failure);
            }
        };
    }

    /** Calls {@code onData}, then drops the data. */
    static VmConnection.Handler onData(BiConsumer<VmConnection, ByteBuffer> onData) {
        return (conn, data) -> {
            onData.accept(conn, data);
            data.position(data.limit());
        };
    }

    /** Drops data and closes its own side when the peer's FIN arrives. */
    static VmConnection.Handler closeOnInputShutdown() {
        return new VmConnection.Handler() {
            @Override
            public void onData(VmConnection connection, ByteBuffer data) {
                data.position(data.limit());
            }

            @Override
            public void onInputShutdown(VmConnection connection) {
                connection.close();
            }
        };
    }

    /** Drops data; completes {@code writable} when a writability change leaves the connection writable. */
    static VmConnection.Handler onWritable(CompletableFuture<Void> writable) {
        return new VmConnection.Handler() {
            @Override
            public void onData(VmConnection connection, ByteBuffer data) {
                data.position(data.limit());
            }

            @Override
            public void onWritabilityChanged(VmConnection connection) {
                if (connection.isWritable()) {
                    writable.complete(null);
                }
            }
        };
    }
}
