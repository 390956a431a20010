package org.p2pvm.transport.websocket;

import org.junit.jupiter.api.BeforeEach;
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

    /** Per test, so a run without nginx reports every scenario as skipped, with the reason. */
    @BeforeEach
    void requireNginx() {
        NginxProcess.assumeInstalled();
    }
}
