package org.p2pvm.examples.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.engine.contract.TcpFaultProxy;
import org.p2pvm.examples.echo.EchoReport;
import org.p2pvm.examples.echo.EchoServer;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/** The seed examples run and do what their javadoc says (the 100K demo at a smaller size). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SeedExamplesTest {

    @Test
    void manyConnectionsOnOneTunnel() throws Exception {
        EchoReport r = HundredThousandConnections.run(5_000, 64);
        assertTrue(r.allSucceeded(), r.toString());
        assertEquals(5_000, r.succeeded());
    }

    @Test
    void reverse() throws Exception {
        assertTrue(ReverseP2pvm.run().startsWith("hello from the dialer"));
    }

    @Test
    void doubleTunnel() throws Exception {
        String s = DoubleTunnel.run();
        assertTrue(s.contains("echoed 'status?'") && s.contains("1048576 bytes") && s.endsWith("refused: AUTH_FAILED"), s);
    }

    @Test
    void automatedReconnectsAfterCarrierKills() throws Exception {
        TunnelOptions options = TunnelOptions.builder().authToken("auto").build();
        VmAddress echo = VmAddress.parse("[::99]:1");
        try (Transport transport = Transports.get("nio")) {
            TransportServer server = transport.bind(URI.create("tcp://127.0.0.1:0"), options,
                    t -> t.install(new EchoServer(echo).vmServer())).get(10, TimeUnit.SECONDS);
            InetSocketAddress target = new InetSocketAddress("127.0.0.1",
                    Integer.parseInt(server.uri().toString().replaceAll(".*:(\\d+).*", "$1")));
            try (TcpFaultProxy proxy = new TcpFaultProxy(target)) {
                LinkedBlockingQueue<Tunnel> ready = new LinkedBlockingQueue<>();
                AutomatedP2pvm auto = new AutomatedP2pvm(transport,
                        URI.create("tcp://127.0.0.1:" + proxy.localAddress().getPort()), options, ready::add);
                Thread t = new Thread(() -> {
                    try {
                        auto.run();
                    } catch (InterruptedException e) {
                        // stopped
                    }
                }, "automated");
                t.start();
                try {
                    for (int i = 0; i < 4; i++) {
                        Tunnel tunnel = ready.poll(30, TimeUnit.SECONDS);
                        assertTrue(tunnel != null, "tunnel " + (i + 1) + " ready");
                        tunnel.awaitRemoteListen(echo).get(10, TimeUnit.SECONDS);
                        if (i < 3) {
                            proxy.killAll();
                        }
                    }
                } finally {
                    t.interrupt();
                    t.join(10_000);
                }
            }
        }
    }
}
