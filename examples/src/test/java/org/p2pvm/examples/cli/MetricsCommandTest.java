package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --metrics}: Prometheus text with per-tunnel series, scraped with a real HTTP client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsCommandTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void serveAndConnectExposePerTunnelMetrics() throws Exception {
        try (HttpFixture http = new HttpFixture();
                RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", "nio", "--bind",
                        "127.0.0.1:0", "--forward", "[::10]:80=127.0.0.1:" + http.port(), "--metrics", "127.0.0.1:0")) {
            String serveMetrics = serve.await("metrics on (http://\\S+/metrics)").group(1);
            String uri = serve.await("listening on (tcp://127\\.0\\.0\\.1:\\d+)").group(1);
            try (RunningCommand connect = RunningCommand.start("connect", "connect", "--transport", "nio", "--peer",
                    uri, "--local", "127.0.0.1:0=[::10]:80", "--metrics", "127.0.0.1:0")) {
                String connectMetrics = connect.await("metrics on (http://\\S+/metrics)").group(1);
                String local = connect.await("local listener (127\\.0\\.0\\.1:\\d+) -> ").group(1);
                connect.await("tunnel ready");
                HttpResponse<String> item = client.send(HttpRequest.newBuilder(URI.create("http://" + local
                        + "/item/7")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(HttpFixture.itemBody(7), item.body());

                for (String endpoint : new String[] {serveMetrics, connectMetrics}) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(endpoint))
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                    assertEquals(200, r.statusCode());
                    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
                    String text = r.body();
                    assertTrue(text.contains("# TYPE p2pvm_tunnels_open gauge\n"), text);
                    assertTrue(text.contains("# TYPE p2pvm_tunnel_window_stalls_total counter"), text);
                    Scrape scrape = new Scrape(text);
                    assertEquals(1, scrape.value("p2pvm_tunnels_open"), text);
                    assertEquals(1, scrape.find("p2pvm_tunnel_rtt_seconds", "tunnel", "1").size(), text);
                    Scrape.Sample payload = scrape.find("p2pvm_tunnel_payload_bytes_total", "tunnel", "1",
                            "direction", "received").get(0);
                    assertTrue(payload.labels().get("peer").matches("/127\\.0\\.0\\.1:\\d+"), text);
                    assertTrue(payload.value() > 0, text);
                }
            }
        }
    }
}
