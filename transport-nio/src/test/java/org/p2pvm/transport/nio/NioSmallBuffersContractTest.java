package org.p2pvm.transport.nio;

import java.net.URI;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.TransportConfig;

/**
 * The contract kit over nio carriers tuned to hit every edge of the carrier: a 1 KiB read buffer
 * (frames split across reads), a 4 KiB socket send buffer and 8 KiB / 2 KiB water marks (partial
 * gathering writes, OP_WRITE, unwritable and onWritable all the time), one selector thread per side.
 */
class NioSmallBuffersContractTest extends TunnelContractTest {
    private static TransportConfig config(String prefix) {
        return TransportConfig.builder().ioThreads(1).threadNamePrefix(prefix)
                .property(NioTransport.READ_BUFFER_SIZE, "1024")
                .property(NioTransport.SEND_BUFFER_SIZE, "4096")
                .property(NioTransport.WRITE_HIGH_WATER_MARK, "8192")
                .property(NioTransport.WRITE_LOW_WATER_MARK, "2048")
                .build();
    }

    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("nio(small buffers)", () -> new NioTransport(config("nio-small-d")),
                () -> new NioTransport(config("nio-small-a")), URI.create("tcp://127.0.0.1:0"));
    }
}
