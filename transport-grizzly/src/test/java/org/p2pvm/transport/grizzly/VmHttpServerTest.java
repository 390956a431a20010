package org.p2pvm.transport.grizzly;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.http.KeepAlive;
import org.glassfish.grizzly.http.server.HttpHandler;
import org.glassfish.grizzly.http.server.HttpServerFilter;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.http.server.Response;
import org.glassfish.grizzly.http.server.ServerFilterConfiguration;
import org.glassfish.grizzly.utils.DelayedExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * Grizzly's own HTTP server filters ({@code HttpServerFilter} codec + server filter + an
 * {@link HttpHandler}), built as {@code HttpServer.configureListener} builds them, serve pipelined
 * keep-alive requests over a virtual connection.
 */
@Timeout(60)
@SuppressWarnings("deprecation") // the codec constructor HttpServer.configureListener itself uses
class VmHttpServerTest {
    static final VmAddress WEB = VmAddress.parse("[fd00::80]:80");

    static FilterChain httpChain(DelayedExecutor delayed, HttpHandler handler) {
        HttpServerFilter server = new HttpServerFilter(new ServerFilterConfiguration(), delayed);
        server.setHttpHandler(handler);
        return FilterChainBuilder.stateless()
                .add(new TransportFilter())
                .add(new org.glassfish.grizzly.http.HttpServerFilter(true, 8192, new KeepAlive(), delayed))
                .add(server)
                .build();
    }

    @Test
    void servesPipelinedKeepAliveRequestsOverAVirtualConnection() throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        DelayedExecutor delayed = new DelayedExecutor(threads);
        delayed.start();
        VmTransport web = new VmTransport("web");
        web.setProcessor(httpChain(delayed, new HttpHandler() {
            @Override
            public void service(Request request, Response response) throws Exception {
                String body = "hello " + request.getRequestURI() + " from " + request.getRemoteAddr();
                response.setContentType("text/plain");
                response.setContentLength(body.length());
                response.getWriter().write(body);
            }
        }));
        try (Transport a = Transports.get("grizzly"); Transport b = Transports.get("grizzly")) {
            TransportServer bound = a.bind(new InetSocketAddress("127.0.0.1", 0), TunnelOptions.defaults(),
                    t -> t.install(web.server(WEB))).get(10, SECONDS);
            Tunnel tunnel = b.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS);
            VmConnection c = tunnel.open(WEB, VmAddress.parse("[fd00::1]:40000"));
            String requests = "GET /a HTTP/1.1\r\nHost: web\r\n\r\nGET /b HTTP/1.1\r\nHost: web\r\n\r\n";
            c.write(ByteBuffer.wrap(requests.getBytes(StandardCharsets.US_ASCII)));
            InputStream in = c.inputStream();
            CompletableFuture<String> responses = CompletableFuture.supplyAsync(() -> {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] buf = new byte[4096];
                try {
                    while (!got.toString(StandardCharsets.US_ASCII).contains("hello /b")) {
                        int n = in.read(buf);
                        if (n < 0) {
                            break;
                        }
                        got.write(buf, 0, n);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
                return got.toString(StandardCharsets.US_ASCII);
            }, threads);
            String text = responses.get(20, SECONDS);
            Matcher status = Pattern.compile("HTTP/1.1 200 OK").matcher(text);
            int count = 0;
            while (status.find()) {
                count++;
            }
            assertEquals(2, count, text);
            assertTrue(text.contains("hello /a from fd00:0:0:0:0:0:0:1"), text);
            assertTrue(text.indexOf("hello /a") < text.indexOf("hello /b"), text);
            c.close();
        } finally {
            delayed.stop();
            threads.shutdownNow();
        }
    }
}
