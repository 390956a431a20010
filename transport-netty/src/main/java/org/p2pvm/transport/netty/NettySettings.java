package org.p2pvm.transport.netty;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.transport.netty.internal.IoFlavor;

/**
 * The netty transport's settings, read once from the {@link TransportConfig} properties (keys
 * {@code netty.*}, listed in {@link NettyTransport}) and checked when the transport is made: a bad
 * value, or an unknown {@code netty.*} key (a typo), is an {@link IllegalArgumentException} naming the
 * key, as for the other transports. Immutable.
 *
 * @param allowEpoll {@value IoFlavor#EPOLL_PROPERTY}: whether the native transport may be used
 * @param tlsProvider {@value NettyTls#PROVIDER_PROPERTY}: {@code auto}, {@code jdk} or {@code openssl}
 */
record NettySettings(boolean allowEpoll, String tlsProvider) {
    private static final String PREFIX = "netty.";
    private static final Set<String> KNOWN = Set.of(IoFlavor.EPOLL_PROPERTY, NettyTls.PROVIDER_PROPERTY);
    private static final List<String> TLS_PROVIDERS = List.of("auto", "jdk", "openssl");

    /** Reads and checks the settings of {@code config}. */
    static NettySettings of(TransportConfig config) {
        config.requireKnownProperties(PREFIX, KNOWN);
        boolean epoll = config.booleanProperty(IoFlavor.EPOLL_PROPERTY, true);
        String provider = config.property(NettyTls.PROVIDER_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        if (!TLS_PROVIDERS.contains(provider)) {
            // checked here, not only at the first TLS dial or bind, so a typo fails at start-up
            throw new IllegalArgumentException(NettyTls.PROVIDER_PROPERTY + " is '"
                    + config.property(NettyTls.PROVIDER_PROPERTY, null) + "' but must be auto, jdk or openssl");
        }
        return new NettySettings(epoll, provider);
    }
}
