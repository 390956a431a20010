package org.p2pvm.transport.nio;

import java.net.URI;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/** The engine's contract kit over nio carriers on loopback (through the kit's TCP fault proxy). */
class NioContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("nio", () -> Transports.get("nio"), () -> Transports.get("nio"),
                URI.create("tcp://127.0.0.1:0"));
    }
}
