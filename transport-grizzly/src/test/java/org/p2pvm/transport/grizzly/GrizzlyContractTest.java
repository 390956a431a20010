package org.p2pvm.transport.grizzly;

import java.net.URI;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/** The vm-engine contract kit over the Grizzly carrier, grizzly dialer to grizzly acceptor through a TCP fault proxy. */
class GrizzlyContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("grizzly", () -> Transports.get("grizzly"), () -> Transports.get("grizzly"),
                URI.create("tcp://127.0.0.1:0"));
    }
}
