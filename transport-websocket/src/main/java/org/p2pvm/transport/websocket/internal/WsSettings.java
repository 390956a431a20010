package org.p2pvm.transport.websocket.internal;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.p2pvm.TunnelOptions;
import org.p2pvm.spi.TransportConfig;

/**
 * The websocket transport's own settings, read from {@link TransportConfig} properties:
 * <ul>
 *   <li>{@code websocket.header.NAME=VALUE}: a request header the client adds to every handshake
 *       (proxy authentication, bearer tokens, a browser-like {@code Origin}).
 *   <li>{@code websocket.allowedOrigins=ORIGIN,...}: origins the server accepts, e.g.
 *       {@code https://app.example.com}; a request with another {@code Origin} gets HTTP 403. Unset or
 *       {@code *}: any origin. A request without {@code Origin} (not from a browser) is always
 *       accepted: only browsers send it, and only browsers need the check.
 *   <li>{@code websocket.maxMessageBytes=N}: the largest inbound WebSocket message; a larger one
 *       closes the link with 1009 and the tunnel with FRAME_SIZE_ERROR. Default: the larger of the
 *       tunnel's {@code maxBatchBytes} and 16 MiB, so a peer's batch always fits.
 *   <li>{@code websocket.connectTimeoutMillis=N}: the client's TCP + HTTP upgrade timeout (default
 *       10000).
 *   <li>{@code websocket.closeTimeoutMillis=N}: how long a close handshake waits for the peer's close
 *       frame before the connection is dropped (default 5000).
 * </ul>
 * Immutable and thread-safe.
 */
public final class WsSettings {
    public static final String PREFIX = "websocket.";
    public static final String HEADER_PREFIX = PREFIX + "header.";
    public static final String ALLOWED_ORIGINS = PREFIX + "allowedOrigins";
    public static final String MAX_MESSAGE_BYTES = PREFIX + "maxMessageBytes";
    public static final String CONNECT_TIMEOUT = PREFIX + "connectTimeoutMillis";
    public static final String CLOSE_TIMEOUT = PREFIX + "closeTimeoutMillis";
    /** The default lower bound of the inbound message limit. */
    public static final long MIN_DEFAULT_MESSAGE_BYTES = 16L * 1024 * 1024;

    private final Map<String, String> headers;
    private final Set<String> allowedOrigins;
    private final long maxMessageBytes; // 0 = derive from the tunnel options
    private final Duration connectTimeout;
    private final Duration closeTimeout;

    private WsSettings(Map<String, String> headers, Set<String> allowedOrigins, long maxMessageBytes,
            Duration connectTimeout, Duration closeTimeout) {
        this.headers = Map.copyOf(headers);
        this.allowedOrigins = Set.copyOf(allowedOrigins);
        this.maxMessageBytes = maxMessageBytes;
        this.connectTimeout = connectTimeout;
        this.closeTimeout = closeTimeout;
    }

    /** Defaults: no headers, any origin, derived message limit, 10 s connect, 5 s close. */
    public static WsSettings defaults() {
        return new WsSettings(Map.of(), Set.of(), 0, Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    /**
     * Reads the {@code websocket.*} properties.
     *
     * @throws IllegalArgumentException naming the property when a value is malformed or unknown
     */
    public static WsSettings from(TransportConfig config) {
        Map<String, String> headers = new LinkedHashMap<>();
        Set<String> origins = Set.of();
        long maxMessage = 0;
        long connectMillis = 10_000;
        long closeMillis = 5_000;
        for (Map.Entry<String, String> e : config.properties().entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            if (key.startsWith(HEADER_PREFIX)) {
                String name = key.substring(HEADER_PREFIX.length()).trim();
                if (name.isEmpty()) {
                    throw new IllegalArgumentException(key + ": the header name is missing (write "
                            + HEADER_PREFIX + "NAME=VALUE)");
                }
                headers.put(name, value);
            } else if (key.equals(ALLOWED_ORIGINS)) {
                origins = parseOrigins(value);
            } else if (key.equals(MAX_MESSAGE_BYTES)) {
                maxMessage = positive(key, value, 9 + TunnelOptions.MIN_FRAGMENT_SIZE);
            } else if (key.equals(CONNECT_TIMEOUT)) {
                connectMillis = positive(key, value, 1);
            } else if (key.equals(CLOSE_TIMEOUT)) {
                closeMillis = positive(key, value, 1);
            } else {
                throw new IllegalArgumentException("unknown websocket transport property '" + key + "'; known: "
                        + HEADER_PREFIX + "NAME, " + ALLOWED_ORIGINS + ", " + MAX_MESSAGE_BYTES + ", "
                        + CONNECT_TIMEOUT + ", " + CLOSE_TIMEOUT);
            }
        }
        return new WsSettings(headers, origins, maxMessage, Duration.ofMillis(connectMillis),
                Duration.ofMillis(closeMillis));
    }

    /** Splits a comma-separated origin list; {@code *} or blank means any origin (an empty set). */
    public static Set<String> parseOrigins(String value) {
        Set<String> set = Arrays.stream(value.split(","))
                .map(String::trim).filter(s -> !s.isEmpty())
                .map(WsSettings::normaliseOrigin)
                .collect(Collectors.toUnmodifiableSet());
        return set.contains("*") ? Set.of() : set;
    }

    /** Origins compare case-insensitively (scheme and host are), without a trailing slash. */
    public static String normaliseOrigin(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }

    private static long positive(String key, String value, long min) {
        try {
            long v = Long.parseLong(value.trim());
            if (v < min) {
                throw new IllegalArgumentException(key + " is " + v + " but must be at least " + min);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is '" + value + "' but must be a whole number", e);
        }
    }

    /** Request headers the client adds, in configuration order. */
    public Map<String, String> headers() {
        return headers;
    }

    /** Normalised allowed origins; empty means any. */
    public Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** The inbound message limit for a tunnel with {@code options}. */
    public long maxMessageBytes(TunnelOptions options) {
        return maxMessageBytes > 0 ? maxMessageBytes : defaultMaxMessageBytes(options);
    }

    /** The default inbound message limit: the larger of {@code maxBatchBytes} and 16 MiB. */
    public static long defaultMaxMessageBytes(TunnelOptions options) {
        return Math.max(options.maxBatchBytes(), MIN_DEFAULT_MESSAGE_BYTES);
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }
}
