package org.p2pvm.reliability.hostile;

import org.junit.jupiter.api.Assumptions;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.Transports;

/** The hostile-peer suite against a server on the netty transport. */
class HostilePeerNettyTest extends HostilePeerCases {
    @Override
    String transportName() {
        return "netty";
    }

    @Override
    void assumePresent() {
        Assumptions.assumeTrue(Transports.names().contains("netty"),
                "transport netty is not in the reactor yet (found " + Transports.names() + "): hostile suite over netty skipped");
    }

    @Override
    Transport newTransport() {
        return Transports.get("netty");
    }
}
