package org.p2pvm.transport.websocket;

import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;

/**
 * The vm-engine contract kit through a real nginx WebSocket reverse proxy on loopback (skipped with
 * a message when nginx is not installed; {@code .ci/run} installs it).
 */
class WebSocketNginxContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() throws Exception {
        return new NginxHarness();
    }
}
