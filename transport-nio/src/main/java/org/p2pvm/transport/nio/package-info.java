/**
 * The plain {@code java.nio} TCP transport, registered as {@code "nio"}: {@link
 * org.p2pvm.transport.nio.NioTransport} and its {@link java.util.ServiceLoader} entry {@link
 * org.p2pvm.transport.nio.NioTransportProvider}. No dependency beyond the JDK and the engine.
 */
package org.p2pvm.transport.nio;
