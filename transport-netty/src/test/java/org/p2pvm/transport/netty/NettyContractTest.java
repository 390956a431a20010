package org.p2pvm.transport.netty;

import java.net.URI;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/** The vm-engine contract kit over the netty carrier on both ends (through the kit's TCP fault proxy). */
class NettyContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("netty→netty", () -> Transports.get("netty"), () -> Transports.get("netty"),
                URI.create("tcp://127.0.0.1:0"));
    }
}
