package org.p2pvm.transport.netty;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/**
 * The contract kit over netty→netty with TLS on the carrier (client certificates required), through
 * {@link TransportHarness#withTls}: every pair the kit opens gets the TLS settings of a run-time PKI.
 */
class NettyTlsContractTest extends TunnelContractTest {
    @TempDir
    static Path pkiDir;

    @Override
    protected TunnelHarness createHarness() throws Exception {
        TestPki pki = TestPki.create(pkiDir, "localhost", "127.0.0.1");
        return new TransportHarness("netty→netty tls", () -> Transports.get("netty"), () -> Transports.get("netty"),
                URI.create("tcp://127.0.0.1:0")).withTls(pki.clientTls(), pki.serverTls(TlsOptions.ClientAuth.REQUIRED));
    }
}
