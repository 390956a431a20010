package org.p2pvm.transport.websocket;

import java.net.URI;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/** The vm-engine contract kit over the websocket carrier: JDK client → Undertow server, direct. */
class WebSocketContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("websocket", () -> Transports.get("websocket"), () -> Transports.get("websocket"),
                URI.create("ws://127.0.0.1:0/p2pvm"));
    }
}
