package org.p2pvm.examples.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.p2pvm.examples.echo.PatternStream;

/**
 * A real HTTP server (the JDK's) on loopback for the forwarding tests: {@code GET /item/N} returns
 * {@link #itemBody(int)}, {@code POST /sha256} returns the hex SHA-256 of the request body, and
 * {@code GET /download/SIZE} streams SIZE pattern bytes (seed {@link #SEED}).
 */
final class HttpFixture implements AutoCloseable {
    static final long SEED = 20261125;

    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(16);

    HttpFixture() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.createContext("/item/", this::item);
        server.createContext("/sha256", this::sha256);
        server.createContext("/download/", this::download);
        server.setExecutor(pool);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** The body of item {@code n}: distinct per item, a few KB long. */
    static String itemBody(int n) {
        return ("item " + n + ";").repeat(200 + n % 50);
    }

    private void item(HttpExchange ex) throws IOException {
        int n = Integer.parseInt(ex.getRequestURI().getPath().substring("/item/".length()));
        respond(ex, itemBody(n).getBytes(StandardCharsets.UTF_8));
    }

    private void sha256(HttpExchange ex) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
            }
        }
        respond(ex, HexFormat.of().formatHex(md.digest()).getBytes(StandardCharsets.US_ASCII));
    }

    private void download(HttpExchange ex) throws IOException {
        long size = Long.parseLong(ex.getRequestURI().getPath().substring("/download/".length()));
        ex.sendResponseHeaders(200, size);
        PatternStream pattern = new PatternStream(SEED);
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try (OutputStream out = ex.getResponseBody()) {
            long left = size;
            while (left > 0) {
                buf.clear().limit((int) Math.min(buf.capacity(), left));
                pattern.fill(buf);
                out.write(buf.array(), 0, buf.position());
                left -= buf.position();
            }
        }
    }

    private static void respond(HttpExchange ex, byte[] body) throws IOException {
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The SHA-256 of the first {@code size} pattern bytes of {@link #SEED}. */
    static String patternSha256(long size) {
        MessageDigest md = sha256();
        PatternStream pattern = new PatternStream(SEED);
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long left = size;
        while (left > 0) {
            buf.clear().limit((int) Math.min(buf.capacity(), left));
            pattern.fill(buf);
            md.update(buf.array(), 0, buf.position());
            left -= buf.position();
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** A stream of {@code size} pattern bytes of {@link #SEED}, for uploads. */
    static InputStream patternInput(long size) {
        PatternStream pattern = new PatternStream(SEED);
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                ByteBuffer dst = ByteBuffer.wrap(b, off, (int) Math.min(len, left));
                pattern.fill(dst);
                int n = dst.position() - off;
                left -= n;
                return n;
            }
        };
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
