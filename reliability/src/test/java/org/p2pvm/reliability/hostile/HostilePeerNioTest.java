package org.p2pvm.reliability.hostile;

import org.junit.jupiter.api.Assumptions;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.Transports;

/** The hostile-peer suite against a server on the nio transport. */
class HostilePeerNioTest extends HostilePeerCases {
    @Override
    String transportName() {
        return "nio";
    }

    @Override
    void assumePresent() {
        Assumptions.assumeTrue(Transports.names().contains("nio"),
                "transport nio is not in the reactor yet (found " + Transports.names() + "): hostile suite over nio skipped");
    }

    @Override
    Transport newTransport() {
        return Transports.get("nio");
    }
}
