package org.p2pvm.transport.netty;

import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;

/**
 * {@link VmChannelSemantics} over a carrier whose executor is not a Netty event loop (as nio,
 * grizzly or websocket tunnels): virtual channels stay on their bootstrap's loop and tunnel events
 * are handed over.
 */
class VmChannelOnOtherExecutorTest extends VmChannelSemantics {
    @Override
    Tunnels openTunnels(Consumer<Tunnel> onAccepted) throws Exception {
        MemoryTunnels m = new MemoryTunnels(TunnelOptions.defaults(), onAccepted);
        return new Tunnels() {
            @Override
            public Tunnel client() {
                return m.dialer;
            }

            @Override
            public void close() throws Exception {
                m.close();
            }
        };
    }
}
