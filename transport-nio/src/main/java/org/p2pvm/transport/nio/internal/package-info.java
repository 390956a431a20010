/**
 * Implementation of the nio transport; not API.
 *
 * <ul>
 * <li>{@link org.p2pvm.transport.nio.internal.NioLoop}: one selector thread, also the serial executor
 *     of the tunnels pinned to it; {@link org.p2pvm.transport.nio.internal.NioLoopGroup}: the loops of
 *     one transport, round robin.</li>
 * <li>{@link org.p2pvm.transport.nio.internal.NioCarrier}: the engine's {@code Carrier} on one socket,
 *     with its {@link org.p2pvm.transport.nio.internal.WriteQueue} of gathering writes, above a
 *     {@link org.p2pvm.transport.nio.internal.ByteLink} (plain TCP now; the place for TLS).</li>
 * <li>{@link org.p2pvm.transport.nio.internal.NioConnector}: one dial;
 *     {@link org.p2pvm.transport.nio.internal.NioServer}: one listening socket and its tunnels.</li>
 * </ul>
 * Every class says which thread may call it; loop-owned state is never locked.
 */
package org.p2pvm.transport.nio.internal;
