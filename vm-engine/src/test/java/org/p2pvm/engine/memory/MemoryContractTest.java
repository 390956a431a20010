package org.p2pvm.engine.memory;

import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;

/**
 * The contract kit over the in-memory carrier with packet-sized chunks (1..1500 bytes, cut at random
 * points, so frames are split everywhere) and a 256 KiB in-flight limit (so the engine meets carrier
 * backpressure).
 */
class MemoryContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new MemoryHarness("memory(maxChunk=1500)",
                MemoryLink.Settings.builder().maxChunk(1500).bufferLimit(256 * 1024).build());
    }
}
