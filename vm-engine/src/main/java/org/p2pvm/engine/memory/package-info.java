/**
 * The in-memory carrier: {@link org.p2pvm.engine.memory.MemoryCarrier} pairs joined by a
 * {@link org.p2pvm.engine.memory.MemoryLink} that splits the byte stream at pseudo-random points,
 * bounds the bytes in flight (real backpressure) and can delay them; and the {@code memory}
 * transport built on it ({@link org.p2pvm.engine.memory.MemoryTransport}). Used by the engine's own
 * tests, the contract kit and in-process demos.
 */
package org.p2pvm.engine.memory;
