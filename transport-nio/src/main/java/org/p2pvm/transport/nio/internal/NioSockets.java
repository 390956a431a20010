package org.p2pvm.transport.nio.internal;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.p2pvm.CloseReason;
import org.p2pvm.HandshakeException;

/** Socket options and error messages shared by the connector and the acceptor. Stateless. */
final class NioSockets {
    private NioSockets() {
    }

    /** Non-blocking, TCP_NODELAY on, and the configured buffer sizes. */
    static void configure(SocketChannel ch, NioSettings settings) throws IOException {
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (settings.sendBufferSize() > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, settings.sendBufferSize());
        }
        if (settings.receiveBufferSize() > 0) {
            ch.setOption(StandardSocketOptions.SO_RCVBUF, settings.receiveBufferSize());
        }
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing left to do with a socket that fails to close
        }
    }

    /** A dial failure naming the peer, of the same kind as {@code cause} where the JDK has one. */
    static IOException connectFailed(URI peer, Throwable cause) {
        String msg = "cannot connect to " + peer + ": " + describe(cause);
        IOException e;
        if (cause instanceof ConnectException) {
            e = new ConnectException(msg);
        } else if (cause instanceof NoRouteToHostException) {
            e = new NoRouteToHostException(msg);
        } else if (cause instanceof SocketTimeoutException) {
            e = new SocketTimeoutException(msg);
        } else if (cause instanceof UnknownHostException) {
            e = new UnknownHostException(msg);
        } else {
            e = new IOException(msg);
        }
        e.initCause(cause);
        return e;
    }

    /** A bind failure naming the address. */
    static IOException bindFailed(URI local, Throwable cause) {
        String msg = "cannot bind " + local + ": " + describe(cause);
        IOException e = cause instanceof BindException ? new BindException(msg) : new IOException(msg);
        e.initCause(cause);
        return e;
    }

    /**
     * A handshake failure naming the peer: a {@link HandshakeException} stays one (same code and
     * origin), anything else becomes an {@link IOException}.
     */
    static Throwable handshakeFailed(URI peer, Throwable failure) {
        Throwable c = failure;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof HandshakeException) {
            CloseReason r = ((HandshakeException) c).reason();
            return new HandshakeException(new CloseReason(r.code(), r.origin(),
                    "tunnel to " + peer + (r.detail().isEmpty() ? "" : ": " + r.detail())), c);
        }
        return new IOException("tunnel handshake with " + peer + " failed: " + describe(c), c);
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
