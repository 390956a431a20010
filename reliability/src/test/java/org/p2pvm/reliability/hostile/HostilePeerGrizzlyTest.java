package org.p2pvm.reliability.hostile;

import org.junit.jupiter.api.Assumptions;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.Transports;

/** The hostile-peer suite (floods and slow attacks; the malformed cases run over nio) against a grizzly server. */
class HostilePeerGrizzlyTest extends HostilePeerCases {
    @Override
    String transportName() {
        return "grizzly";
    }

    @Override
    void assumePresent() {
        Assumptions.assumeTrue(Transports.names().contains("grizzly"),
                "transport grizzly is not in the reactor yet (found " + Transports.names() + "): hostile suite over grizzly skipped");
    }

    @Override
    boolean runsMalformedCases() {
        return false;
    }

    @Override
    Transport newTransport() {
        return Transports.get("grizzly");
    }
}
