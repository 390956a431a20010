package org.p2pvm.transport.nio;

import java.net.URI;
import java.nio.file.Files;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/**
 * The engine's contract kit over nio carriers running TLS (SSLEngine) on loopback, through the kit's
 * TCP fault proxy; the dialer presents a client certificate. Keys are made at run time.
 */
class NioTlsContractTest extends TunnelContractTest {
    static final TestPki PKI = pki("p2pvm-nio-tls");

    static TestPki pki(String prefix) {
        try {
            return TestPki.create(Files.createTempDirectory(prefix));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test PKI", e);
        }
    }

    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("nio+tls", () -> Transports.get("nio"), () -> Transports.get("nio"),
                URI.create("tcp://127.0.0.1:0")).withTls(PKI.clientTls(), PKI.serverTls());
    }
}
