package org.p2pvm.transport.grizzly;

import java.net.URI;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/** The contract kit with a grizzly dialer and a netty acceptor. */
class GrizzlyNettyContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("grizzly→netty", () -> Transports.get("grizzly"), () -> Transports.get("netty"),
                URI.create("tcp://127.0.0.1:0"));
    }
}
