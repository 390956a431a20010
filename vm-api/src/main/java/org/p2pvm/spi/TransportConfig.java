package org.p2pvm.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

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
