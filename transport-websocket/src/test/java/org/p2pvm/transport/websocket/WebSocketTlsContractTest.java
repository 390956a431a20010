package org.p2pvm.transport.websocket;

import java.net.URI;
import java.nio.file.Files;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/**
 * The engine's contract kit over wss:// (JDK WebSocket client → Undertow HTTPS listener), through the
 * kit's TCP fault proxy, with client certificates required. Keys are made at run time.
 */
class WebSocketTlsContractTest extends TunnelContractTest {
    private static final TestPki PKI = pki();

    private static TestPki pki() {
        try {
            return TestPki.create(Files.createTempDirectory("p2pvm-wss-kit"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test PKI", e);
        }
    }

    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("websocket+tls", () -> Transports.get("websocket"),
                () -> Transports.get("websocket"), URI.create("wss://127.0.0.1:0/p2pvm"))
                .withTls(PKI.clientTls(), PKI.serverTls(TlsOptions.ClientAuth.REQUIRED));
    }
}
