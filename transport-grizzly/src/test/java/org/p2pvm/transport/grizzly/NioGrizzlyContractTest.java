package org.p2pvm.transport.grizzly;

import java.net.URI;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/** The contract kit with an nio dialer and a grizzly acceptor. */
class NioGrizzlyContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("nio→grizzly", () -> Transports.get("nio"), () -> Transports.get("grizzly"),
                URI.create("tcp://127.0.0.1:0"));
    }
}
