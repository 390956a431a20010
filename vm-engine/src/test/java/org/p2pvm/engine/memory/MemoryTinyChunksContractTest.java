package org.p2pvm.engine.memory;

import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;

/**
 * The contract kit over a memory link that delivers 1 to 7 bytes per read (every frame header is
 * split) and holds at most 4 KiB in flight. Each read costs a callback, so the heavy scenarios are
 * scaled down (500 streams of up to 1 KiB, 64 KiB bulk); every scenario still runs.
 */
class MemoryTinyChunksContractTest extends TunnelContractTest {
    @Override
    protected TunnelHarness createHarness() {
        return new MemoryHarness("memory(maxChunk=7)",
                MemoryLink.Settings.builder().maxChunk(7).bufferLimit(4096).seed(7).build());
    }

    @Override
    protected Scale scale() {
        return new Scale(500, 1024, 64 * 1024);
    }
}
