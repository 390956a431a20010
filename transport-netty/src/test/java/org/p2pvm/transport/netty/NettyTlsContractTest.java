package org.p2pvm.transport.netty;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.Transports;

/**
 * The contract kit over netty→netty with TLS on the carrier (client certificates required), through
 * {@link TransportHarness#withTls}: every pair the kit opens gets the TLS settings of a run-time PKI.
 * Runs on the OpenSSL engine (netty-tcnative is a test dependency); {@link NettyJdkTlsContractTest}
 * runs the same on the JDK engine.
 */
class NettyTlsContractTest extends TunnelContractTest {
    /** The {@code netty.tls.provider} both ends use. */
    String provider() {
        return "openssl";
    }

    @TempDir
    static Path pkiDir;

    @Override
    protected TunnelHarness createHarness() throws Exception {
        TestPki pki = TestPki.create(pkiDir, "localhost", "127.0.0.1");
        TransportConfig config = TransportConfig.builder().property(NettyTls.PROVIDER_PROPERTY, provider()).build();
        return new TransportHarness("netty→netty tls " + provider(), () -> Transports.get("netty", config),
                () -> Transports.get("netty", config),
                URI.create("tcp://127.0.0.1:0")).withTls(pki.clientTls(), pki.serverTls(TlsOptions.ClientAuth.REQUIRED));
    }
}
