package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The client side of the forwarding tests: real HTTP requests to an {@link HttpFixture} server
 * reached through a local port ({@code connect --local}), each answer checked (bodies, SHA-256).
 */
final class ForwardedHttp {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** {@code n} concurrent GETs of /item/i through {@code local} (HOST:PORT), every body checked. */
    void concurrentRequests(String local, int n) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://" + local + "/item/" + i))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < n; i++) {
            HttpResponse<String> r = responses.get(i).get(90, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals(HttpFixture.itemBody(i), r.body(), "body of item " + i);
        }
    }

    /** POSTs {@code size} pattern bytes; the server's SHA-256 of what it received must match. */
    void upload(String local, long size) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + local + "/sha256"))
                .timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> HttpFixture.patternInput(size)), size))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(HttpFixture.patternSha256(size), r.body(), "SHA-256 of the upload as the server saw it");
    }

    /** GETs {@code size} pattern bytes; length and SHA-256 must match. */
    void download(String local, long size) throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create("http://" + local + "/download/"
                + size)).timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        MessageDigest md = HttpFixture.sha256();
        long total = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                total += n;
            }
        }
        assertEquals(size, total);
        assertEquals(HttpFixture.patternSha256(size), HexFormat.of().formatHex(md.digest()), "SHA-256 of the download");
    }
}
