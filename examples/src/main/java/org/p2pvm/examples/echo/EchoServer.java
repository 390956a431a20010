package org.p2pvm.examples.echo;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.concurrent.atomic.LongAdder;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A virtual echo server: every byte a virtual connection receives is written back on it, in order,
 * and the peer's FIN is answered with a FIN once everything has been echoed.
 *
 * <p>Backpressure is honoured: when the echo cannot be written as fast as it arrives (the
 * connection turns {@linkplain VmConnection#isWritable() unwritable}), reading pauses, the engine
 * stops returning credit and the peer stalls; reading resumes when the connection is writable
 * again. So one connection holds at most its write high water mark plus one delivery of echo
 * data, however fast the peer sends.
 *
 * <p>Use {@link #vmServer()} with {@link org.p2pvm.Tunnel#install}; one instance may be installed on
 * any number of tunnels. The handler runs on each tunnel's executor. Inbound buffers are valid
 * only during {@code onData}, so each one is copied once into a buffer that the engine owns until
 * its write completes. Counters are thread-safe.
 */
public final class EchoServer {
    private static final Logger LOG = LoggerFactory.getLogger(EchoServer.class);

    private final VmServer server;
    private final LongAdder connections = new LongAdder();
    private final LongAdder bytesEchoed = new LongAdder();

    /**
     * An echo server listening on {@code addresses}.
     *
     * @throws IllegalArgumentException when {@code addresses} is empty
     */
    public EchoServer(Collection<VmAddress> addresses) {
        VmServer.Builder builder = VmServer.builder().name("echo").acceptor(this::accept);
        addresses.forEach(builder::listen);
        this.server = builder.build();
    }

    /** An echo server on one address. */
    public EchoServer(VmAddress address) {
        this(java.util.List.of(address));
    }

    /** The server to install on tunnels. */
    public VmServer vmServer() {
        return server;
    }

    /** Virtual connections accepted so far, on every tunnel. */
    public long connections() {
        return connections.sum();
    }

    /** Bytes handed to the engine for echoing so far, on every tunnel. */
    public long bytesEchoed() {
        return bytesEchoed.sum();
    }

    private void accept(VmConnection connection) {
        connections.increment();
        connection.setHandler(new EchoHandler(), true);
    }

    /** Echoes one connection; runs on its tunnel's executor. */
    private final class EchoHandler implements VmConnection.Handler {

        @Override
        public void onData(VmConnection connection, ByteBuffer data) {
            int n = data.remaining();
            ByteBuffer echo = ByteBuffer.allocate(n);
            echo.put(data).flip();
            // A failed write needs no action here: the stream fails with it and onClosed says why.
            connection.write(echo, null);
            bytesEchoed.add(n);
            if (!connection.isWritable()) {
                connection.pauseReading();
            }
        }

        @Override
        public void onWritabilityChanged(VmConnection connection) {
            if (connection.isWritable()) {
                connection.resumeReading();
            }
        }

        @Override
        public void onInputShutdown(VmConnection connection) {
            // shutdownOutput queues FIN behind every echo already written.
            connection.shutdownOutput();
        }

        @Override
        public void onClosed(VmConnection connection, Throwable failure) {
            if (failure != null && LOG.isDebugEnabled()) {
                LOG.debug("echo connection {} from {} ended: {}", connection.streamId(), connection.remoteAddress(),
                        failure.toString());
            }
        }
    }
}
