package org.p2pvm.transport.netty;

import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;

/** {@link VmChannelSemantics} over the netty transport: virtual channels on the tunnel's own loop. */
class VmChannelOnNettyTunnelTest extends VmChannelSemantics {
    @Override
    Tunnels openTunnels(Consumer<Tunnel> onAccepted) throws Exception {
        TunnelFixture f = new TunnelFixture(TunnelOptions.defaults(), onAccepted);
        return new Tunnels() {
            @Override
            public Tunnel client() {
                return f.client;
            }

            @Override
            public void close() {
                f.close();
            }
        };
    }
}
