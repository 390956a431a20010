package org.p2pvm.transport.netty;

import java.net.URI;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/** Interop: a netty dialer against an nio acceptor, through the whole contract kit. */
class NettyToNioContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("netty→nio", () -> Transports.get("netty"), () -> Transports.get("nio"),
                URI.create("tcp://127.0.0.1:0"));
    }
}
