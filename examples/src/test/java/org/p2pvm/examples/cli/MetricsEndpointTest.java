package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.ErrorCode;
import org.p2pvm.StreamResetException;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.engine.memory.MemoryTransport;
import org.p2pvm.examples.forward.LiveTunnels;
import org.p2pvm.spi.TransportConfig;

/**
 * The {@code --metrics} endpoint ({@link MonitorOptions}, {@link TunnelCollector}) over real HTTP,
 * with both ends of one in-memory tunnel registered: per-tunnel labels, frames and payload bytes,
 * errors by code after a refused and a reset stream, and the series gone once the tunnel closed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsEndpointTest {
    private static final VmAddress SERVICE = VmAddress.parse("[::10]:80");
    private static final VmAddress NOBODY = VmAddress.parse("[::11]:80");

    private final MemoryTransport memory = new MemoryTransport(TransportConfig.defaults());
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @AfterEach
    void closeTransport() {
        memory.close();
    }

    @Test
    void scrapeShowsPerTunnelSeriesErrorsByCodeAndDropsClosedTunnels() throws Exception {
        CompletableFuture<VmConnection> accepted = new CompletableFuture<>();
        VmServer server = VmServer.listen(SERVICE, c -> {
            c.setHandler((conn, data) -> { }); // auto-consumed
            accepted.complete(c);
        });
        CompletableFuture<Tunnel> acceptor = new CompletableFuture<>();
        URI name = URI.create("memory:metrics-" + java.util.UUID.randomUUID());
        memory.bind(name, TunnelOptions.defaults(), t -> {
            t.install(server);
            acceptor.complete(t);
        }).get(10, TimeUnit.SECONDS);
        Tunnel dialer = memory.connect(name, TunnelOptions.defaults()).get(10, TimeUnit.SECONDS);
        dialer.awaitRemoteListen(SERVICE).get(10, TimeUnit.SECONDS);
        Tunnel accepting = acceptor.get(10, TimeUnit.SECONDS);

        LiveTunnels live = new LiveTunnels();
        live.add(dialer); // tunnel="1"
        live.add(accepting); // tunnel="2"
        MonitorOptions monitor = new MonitorOptions();
        monitor.metrics = InetSocketAddress.createUnresolved("127.0.0.1", 0);
        StringWriter events = new StringWriter();
        try (AutoCloseable running = monitor.start(live, new EventLog(new PrintWriter(events, true)),
                new PrintWriter(new StringWriter()))) {
            Matcher m = Pattern.compile("metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(events.toString());
            assertTrue(m.find(), events.toString());
            URI endpoint = URI.create(m.group(1));

            VmConnection conn = dialer.connect(SERVICE).get(10, TimeUnit.SECONDS);
            conn.write(ByteBuffer.wrap(new byte[1000])).get(10, TimeUnit.SECONDS);
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> dialer.connect(NOBODY).get(10, TimeUnit.SECONDS));
            assertEquals(ErrorCode.REFUSED, assertInstanceOf(StreamResetException.class, refused.getCause()).errorCode());
            accepted.get(10, TimeUnit.SECONDS);
            // A PING round trip is a barrier: the peer handled every frame sent before it.
            dialer.ping().get(10, TimeUnit.SECONDS);

            Scrape before = scrape(endpoint);
            assertEquals(2, before.value("p2pvm_tunnels_open"));
            String dialerPeer = String.valueOf(dialer.carrierRemoteAddress());
            String acceptorPeer = String.valueOf(accepting.carrierRemoteAddress());
            assertEquals(1, before.value("p2pvm_tunnel_streams_open", "tunnel", "1", "peer", dialerPeer));
            assertEquals(1, before.value("p2pvm_tunnel_streams_open", "tunnel", "2", "peer", acceptorPeer));
            assertEquals(1000, before.value("p2pvm_tunnel_payload_bytes_total", "tunnel", "1", "direction", "sent"));
            assertEquals(1000, before.value("p2pvm_tunnel_payload_bytes_total", "tunnel", "2", "direction", "received"));
            assertTrue(before.value("p2pvm_tunnel_frames_total", "tunnel", "1", "direction", "sent") >= 4,
                    before.text); // OPEN, DATA, OPEN (refused), PING at least
            assertTrue(before.value("p2pvm_tunnel_bytes_total", "tunnel", "2", "direction", "received") > 1000,
                    before.text);
            assertEquals(0, before.value("p2pvm_tunnel_window_stalls_total", "tunnel", "1"));
            assertTrue(before.value("p2pvm_tunnel_rtt_seconds", "tunnel", "1") > 0, before.text);
            // A RESET is answered with a RESET of the same code (PROTOCOL.md §5): each end sends and receives one.
            for (String tunnel : new String[] {"1", "2"}) {
                for (String direction : new String[] {"sent", "received"}) {
                    assertEquals(1, before.value("p2pvm_tunnel_errors_total", "tunnel", tunnel, "direction", direction,
                            "code", "REFUSED"), before.text);
                }
            }
            assertEquals(4, before.find("p2pvm_tunnel_errors_total").size(), before.text);

            conn.reset(ErrorCode.CANCELLED);
            dialer.ping().get(10, TimeUnit.SECONDS);
            Scrape reset = scrape(endpoint);
            for (String tunnel : new String[] {"1", "2"}) {
                for (String direction : new String[] {"sent", "received"}) {
                    assertEquals(1, reset.value("p2pvm_tunnel_errors_total", "tunnel", tunnel, "direction", direction,
                            "code", "CANCELLED"), reset.text);
                    assertEquals(1, reset.value("p2pvm_tunnel_errors_total", "tunnel", tunnel, "direction", direction,
                            "code", "REFUSED"), reset.text);
                }
            }
            assertEquals(8, reset.find("p2pvm_tunnel_errors_total").size(), reset.text);
            assertEquals(0, reset.value("p2pvm_tunnel_streams_open", "tunnel", "1"), reset.text);

            dialer.close();
            dialer.closeFuture().get(10, TimeUnit.SECONDS);
            accepting.closeFuture().get(10, TimeUnit.SECONDS);
            Scrape after = scrape(endpoint);
            assertEquals(0, after.value("p2pvm_tunnels_open"));
            assertEquals(List.of(), after.samples.stream().filter(s -> s.name().startsWith("p2pvm_tunnel_")).toList(),
                    after.text);
        }
    }

    private Scrape scrape(URI endpoint) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        return new Scrape(r.body());
    }
}
