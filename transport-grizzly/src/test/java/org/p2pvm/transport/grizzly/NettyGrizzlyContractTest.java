package org.p2pvm.transport.grizzly;

import java.net.URI;
import org.junit.jupiter.api.Assumptions;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/** The contract kit with a netty dialer and a grizzly acceptor (skipped without transport-netty). */
class NettyGrizzlyContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        Assumptions.assumeTrue(Transports.names().contains("netty"), "transport-netty is not on the class path yet");
        return new TransportHarness("netty→grizzly", () -> Transports.get("netty"), () -> Transports.get("grizzly"),
                URI.create("tcp://127.0.0.1:0"));
    }
}
