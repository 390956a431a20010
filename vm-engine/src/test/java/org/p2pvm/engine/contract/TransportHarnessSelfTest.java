package org.p2pvm.engine.contract;

import java.net.URI;

/**
 * The kit tests itself over real TCP: {@link TransportHarness} and {@link TcpFaultProxy} in front of
 * a minimal blocking-socket transport, so that a failure a real transport sees in the kit is not the
 * kit's own.
 */
class TransportHarnessSelfTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("kit-socket→kit-socket", BlockingSocketTransport::new,
                BlockingSocketTransport::new, URI.create("tcp://127.0.0.1:0"));
    }
}
