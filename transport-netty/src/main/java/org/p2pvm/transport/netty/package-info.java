/**
 * The {@code netty} transport and Netty integration of p2pvm.
 *
 * <ul>
 *   <li>{@link org.p2pvm.transport.netty.NettyTransport} (found as {@code netty} by
 *       {@link org.p2pvm.spi.Transports}): TCP carriers on Netty event loops, epoll when available,
 *       TLS from the tunnel options.
 *   <li>{@link org.p2pvm.transport.netty.NettyTunnels#upgrade}: pre-link, turning a channel the
 *       application already owns into a carrier, after its own protocol.
 *   <li>{@link org.p2pvm.transport.netty.VmChannel} and
 *       {@link org.p2pvm.transport.netty.VmServerChannel} at
 *       {@link org.p2pvm.transport.netty.VmSocketAddress}es: existing {@code ChannelInitializer}s over
 *       virtual connections.
 * </ul>
 *
 * <p>Implementation classes live in {@code org.p2pvm.transport.netty.internal} and are not API.
 */
package org.p2pvm.transport.netty;
