package org.p2pvm.transport.netty;

import java.net.URI;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/** Interop: an nio dialer against a netty acceptor, through the whole contract kit. */
class NioToNettyContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("nio→netty", () -> Transports.get("nio"), () -> Transports.get("netty"),
                URI.create("tcp://127.0.0.1:0"));
    }
}
