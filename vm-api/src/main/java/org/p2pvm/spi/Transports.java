package org.p2pvm.spi;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * Finds transports with {@link ServiceLoader}: first on the thread's context class loader, then on
 * this class's loader (the order MINA SSHD uses), so both application servers and plain class paths
 * work. The system property {@code p2pvm.transport} names the {@linkplain #defaultName() default}.
 */
public final class Transports {
    /** System property that names the default transport. */
    public static final String DEFAULT_PROPERTY = "p2pvm.transport";

    private Transports() {
    }

    /**
     * Creates the transport registered as {@code name} with default settings.
     *
     * @throws IllegalArgumentException when no transport has that name; the message lists the names
     *     that are available
     */
    public static Transport get(String name) {
        return get(name, TransportConfig.defaults());
    }

    /** Creates the transport registered as {@code name} with {@code config}. */
    public static Transport get(String name, TransportConfig config) {
        return provider(name).create(config);
    }

    /** The provider registered as {@code name}. */
    public static TransportProvider provider(String name) {
        Map<String, TransportProvider> all = providers();
        TransportProvider p = name == null ? null : all.get(name.toLowerCase(java.util.Locale.ROOT));
        if (p == null) {
            throw new IllegalArgumentException("unknown transport '" + name + "'; available: "
                    + (all.isEmpty() ? "none (add a transport module such as transport-nio to the class path)"
                            : String.join(", ", all.keySet())));
        }
        return p;
    }

    /** The names of every transport found, in discovery order. */
    public static Set<String> names() {
        return providers().keySet();
    }

    /** Every provider found, by name. The first found wins when two share a name. */
    public static Map<String, TransportProvider> providers() {
        Map<String, TransportProvider> out = new LinkedHashMap<>();
        List<ClassLoader> loaders = new ArrayList<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            loaders.add(context);
        }
        if (Transports.class.getClassLoader() != context) {
            loaders.add(Transports.class.getClassLoader());
        }
        for (ClassLoader loader : loaders) {
            try {
                for (TransportProvider p : ServiceLoader.load(TransportProvider.class, loader)) {
                    out.putIfAbsent(p.name().toLowerCase(java.util.Locale.ROOT), p);
                }
            } catch (ServiceConfigurationError e) {
                throw new IllegalStateException("a transport could not be loaded: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * The default transport's name: the {@code p2pvm.transport} system property, else {@code nio}
     * when present, else the first found.
     */
    public static String defaultName() {
        String prop = System.getProperty(DEFAULT_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return prop.trim();
        }
        Set<String> names = names();
        if (names.contains("nio")) {
            return "nio";
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("no transport on the class path: add transport-nio or another transport module");
        }
        return names.iterator().next();
    }

    /** {@code tcp://host:port} for a socket address (IPv6 hosts in brackets). */
    public static URI tcpUri(InetSocketAddress address) {
        String host = address.getHostString();
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create("tcp://" + host + ":" + address.getPort());
    }

    /**
     * The socket address of a {@code tcp://host:port} URI (also accepts {@code host:port} without a
     * scheme), resolved.
     *
     * @throws IllegalArgumentException with a message naming the expected form
     */
    public static InetSocketAddress socketAddress(URI uri) {
        if (uri == null || uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("'" + uri + "' is not a TCP peer: write tcp://HOST:PORT, e.g. tcp://127.0.0.1:9988");
        }
        if (uri.getScheme() != null && !uri.getScheme().equals("tcp")) {
            throw new IllegalArgumentException("'" + uri + "' has scheme '" + uri.getScheme()
                    + "' but this transport speaks tcp://HOST:PORT");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, uri.getPort());
    }
}
