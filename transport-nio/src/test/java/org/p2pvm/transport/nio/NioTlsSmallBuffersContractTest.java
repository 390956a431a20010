package org.p2pvm.transport.nio;

import java.net.URI;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.TransportConfig;

/**
 * The contract kit over TLS nio carriers with tiny buffers: 1 KiB reads (every TLS record is handed
 * out in pieces from the link's own plaintext buffer), a 4 KiB socket send buffer (records leave in
 * pieces, OP_WRITE all the time), 8/2 KiB water marks, and client authentication required.
 */
class NioTlsSmallBuffersContractTest extends TunnelContractTest {
    private static final TestPki PKI = NioTlsContractTest.pki("p2pvm-nio-tls-small");

    private static TransportConfig config(String prefix) {
        return TransportConfig.builder().ioThreads(1).threadNamePrefix(prefix)
                .property(NioTransport.READ_BUFFER_SIZE, "1024")
                .property(NioTransport.SEND_BUFFER_SIZE, "4096")
                .property(NioTransport.RECEIVE_BUFFER_SIZE, "4096")
                .property(NioTransport.WRITE_HIGH_WATER_MARK, "8192")
                .property(NioTransport.WRITE_LOW_WATER_MARK, "2048")
                .build();
    }

    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("nio+tls(small buffers)", () -> new NioTransport(config("nio-tls-small-d")),
                () -> new NioTransport(config("nio-tls-small-a")), URI.create("tcp://127.0.0.1:0"))
                .withTls(PKI.clientTls(), PKI.serverTls(TlsOptions.ClientAuth.REQUIRED));
    }
}
