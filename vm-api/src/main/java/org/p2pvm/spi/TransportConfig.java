package org.p2pvm.spi;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Settings for creating a {@link Transport}: the number of I/O threads and transport-specific
 * properties (documented by each transport). Immutable.
 */
public final class TransportConfig {
    private static final TransportConfig DEFAULTS = builder().build();

    private final int ioThreads;
    private final String threadNamePrefix;
    private final Map<String, String> properties;

    private TransportConfig(Builder b) {
        this.ioThreads = b.ioThreads;
        this.threadNamePrefix = b.threadNamePrefix;
        this.properties = Map.copyOf(b.properties);
    }

    public static TransportConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** I/O (event loop / selector) threads; 0 means one per available processor. */
    public int ioThreads() {
        return ioThreads;
    }

    /** {@link #ioThreads()} with 0 resolved to the processor count. */
    public int effectiveIoThreads() {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }

    /** Prefix of the I/O threads' names, e.g. {@code p2pvm-nio}; null lets the transport choose. */
    public String threadNamePrefix() {
        return threadNamePrefix;
    }

    /** A transport-specific property, or {@code defaultValue}. */
    public String property(String key, String defaultValue) {
        return properties.getOrDefault(key, defaultValue);
    }

    public Map<String, String> properties() {
        return properties;
    }

    /**
     * Rejects every property under {@code prefix} (e.g. {@code "nio."}) that is not in {@code known}: a
     * misspelled key would otherwise be ignored without a word.
     *
     * @throws IllegalArgumentException naming the key and listing the known ones
     */
    public void requireKnownProperties(String prefix, Set<String> known) {
        for (String key : properties.keySet()) {
            if (key.startsWith(prefix) && !known.contains(key)) {
                throw new IllegalArgumentException("unknown " + prefix.substring(0, prefix.length() - 1)
                        + " transport property '" + key + "'; known: " + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    /**
     * A whole-number property in {@code [min, max]}, or {@code defaultValue} when absent.
     *
     * @throws IllegalArgumentException naming the key when the value is malformed or out of range
     */
    public long longProperty(String key, long defaultValue, long min, long max) {
        String v = properties.get(key);
        if (v == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is '" + v + "' but must be a whole number", e);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " is " + value + " but must be between " + min + " and " + max);
        }
        return value;
    }

    /** As {@link #longProperty} for an {@code int} range. */
    public int intProperty(String key, int defaultValue, int min, int max) {
        return (int) longProperty(key, defaultValue, min, max);
    }

    /**
     * A {@code true}/{@code false} property (case and surrounding blanks ignored), or
     * {@code defaultValue} when absent.
     *
     * @throws IllegalArgumentException naming the key for any other value
     */
    public boolean booleanProperty(String key, boolean defaultValue) {
        String v = properties.get(key);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " is '" + v + "' but must be true or false");
        };
    }

    /** Builds a {@link TransportConfig}. */
    public static final class Builder {
        private int ioThreads;
        private String threadNamePrefix;
        private final Map<String, String> properties = new LinkedHashMap<>();

        private Builder() {
        }

        /** @param threads 0 for one per processor, else 1 to 1024 */
        public Builder ioThreads(int threads) {
            if (threads < 0 || threads > 1024) {
                throw new IllegalArgumentException("ioThreads is " + threads
                        + " but must be between 0 (one per processor) and 1024");
            }
            this.ioThreads = threads;
            return this;
        }

        public Builder threadNamePrefix(String prefix) {
            this.threadNamePrefix = prefix;
            return this;
        }

        public Builder property(String key, String value) {
            properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public TransportConfig build() {
            return new TransportConfig(this);
        }
    }
}
