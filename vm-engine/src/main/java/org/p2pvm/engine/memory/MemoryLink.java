package org.p2pvm.engine.memory;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * One in-memory wire between two {@link MemoryCarrier} ends: the dialer end and the acceptor end,
 * created together by {@link MemoryCarrier#pair}. Each direction is a {@link MemoryPipe} that cuts
 * the byte stream into pseudo-random chunks, bounds the bytes in flight and may delay them.
 *
 * <p>Thread-safe. {@link #kill()} may be called from any thread.
 */
public final class MemoryLink {
    private final Settings settings;
    private final MemoryCarrier dialer;
    private final MemoryCarrier acceptor;

    MemoryLink(Settings settings, String name, ScheduledExecutorService dialerPool,
            ScheduledExecutorService acceptorPool) {
        this.settings = Objects.requireNonNull(settings, "settings");
        MemoryPipe toAcceptor = new MemoryPipe(settings, settings.seed());
        MemoryPipe toDialer = new MemoryPipe(settings, ~settings.seed());
        this.dialer = new MemoryCarrier(this, true, new MemoryAddress(name, "dialer"), dialerPool, toDialer,
                toAcceptor);
        this.acceptor = new MemoryCarrier(this, false, new MemoryAddress(name, "acceptor"), acceptorPool,
                toAcceptor, toDialer);
    }

    /** The end that dialled (it opens odd stream ids). */
    public MemoryCarrier dialer() {
        return dialer;
    }

    /** The end that accepted. */
    public MemoryCarrier acceptor() {
        return acceptor;
    }

    /** The settings this link was made with. */
    public Settings settings() {
        return settings;
    }

    /**
     * Whether neither end has closed. An end that closed with flush still delivers what it wrote,
     * then EOF, so a link that is not up needs no {@link #kill}: killing it would drop those bytes.
     */
    boolean isUp() {
        return !dialer.isClosed() && !acceptor.isClosed();
    }

    /**
     * Drops the link at once, as a pulled cable: bytes in flight are lost and both ends get
     * {@code onClosed(new IOException("memory link killed"))} (an end that has already been told it
     * is closed is not told again). Idempotent.
     */
    public void kill() {
        IOException cause = new IOException("memory link killed");
        dialer.killed(cause);
        acceptor.killed(cause);
    }

    MemoryCarrier peerOf(MemoryCarrier end) {
        return end == dialer ? acceptor : dialer;
    }

    /**
     * How a {@link MemoryLink} behaves: chunking, buffering and delay. Immutable; build with
     * {@link #builder()}, which checks every value and names the offending field.
     */
    public static final class Settings {
        /** Default {@link #maxChunk()}: 64 KiB. */
        public static final int DEFAULT_MAX_CHUNK = 64 * 1024;
        /** Default {@link #bufferLimit()}: 4 MiB. */
        public static final int DEFAULT_BUFFER_LIMIT = 4 * 1024 * 1024;
        /** Default {@link #seed()}: fixed, so a failing run can be replayed. */
        public static final long DEFAULT_SEED = 0x5EED_CAFEL;
        /** Largest accepted {@link #oneWayDelay()}. */
        public static final Duration MAX_DELAY = Duration.ofMinutes(1);

        private static final Settings DEFAULTS = builder().build();

        private final int maxChunk;
        private final int bufferLimit;
        private final long seed;
        private final Duration oneWayDelay;

        private Settings(Builder b) {
            this.maxChunk = b.maxChunk;
            this.bufferLimit = b.bufferLimit;
            this.seed = b.seed;
            this.oneWayDelay = b.oneWayDelay;
        }

        /** maxChunk 64 KiB, bufferLimit 4 MiB, no delay, the default seed. */
        public static Settings defaults() {
            return DEFAULTS;
        }

        public static Builder builder() {
            return new Builder();
        }

        /** A builder starting from these values. */
        public Builder toBuilder() {
            return new Builder().maxChunk(maxChunk).bufferLimit(bufferLimit).seed(seed).oneWayDelay(oneWayDelay);
        }

        /**
         * Reads settings from transport properties ({@code PREFIX.maxChunk}, {@code PREFIX.bufferLimit},
         * {@code PREFIX.seed}, {@code PREFIX.oneWayDelayMillis}); absent keys keep the defaults.
         *
         * @param prefix e.g. {@code "memory"}
         * @param properties a lookup returning null for absent keys
         * @throws IllegalArgumentException naming the property when a value is not a number or out of range
         */
        public static Settings fromProperties(String prefix, Function<String, String> properties) {
            Builder b = builder();
            String v = properties.apply(prefix + ".maxChunk");
            if (v != null) {
                b.maxChunk((int) parse(prefix + ".maxChunk", v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            }
            v = properties.apply(prefix + ".bufferLimit");
            if (v != null) {
                b.bufferLimit((int) parse(prefix + ".bufferLimit", v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            }
            v = properties.apply(prefix + ".seed");
            if (v != null) {
                b.seed(parse(prefix + ".seed", v, Long.MIN_VALUE, Long.MAX_VALUE));
            }
            v = properties.apply(prefix + ".oneWayDelayMillis");
            if (v != null) {
                b.oneWayDelay(Duration.ofMillis(parse(prefix + ".oneWayDelayMillis", v, 0, MAX_DELAY.toMillis())));
            }
            return b.build();
        }

        private static long parse(String key, String value, long min, long max) {
            long n;
            try {
                n = Long.parseLong(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " is '" + value + "' but must be a whole number", e);
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + " is " + n + " but must be between " + min + " and " + max);
            }
            return n;
        }

        /**
         * Largest chunk handed to one {@code onRead} call. The stream is cut at pseudo-random points
         * (from {@link #seed()}) into chunks of 1 to maxChunk bytes, regardless of write boundaries.
         */
        public int maxChunk() {
            return maxChunk;
        }

        /**
         * Bytes in flight per direction above which the writing end reports itself not writable; it
         * gets {@code onWritable()} when the reader has taken enough.
         */
        public int bufferLimit() {
            return bufferLimit;
        }

        /** Seed of the chunk-size generator (each direction derives its own stream from it). */
        public long seed() {
            return seed;
        }

        /** Each chunk is delivered no earlier than this after its bytes were written. */
        public Duration oneWayDelay() {
            return oneWayDelay;
        }

        @Override
        public String toString() {
            return "MemoryLink.Settings{maxChunk=" + maxChunk + ", bufferLimit=" + bufferLimit + ", seed=" + seed
                    + ", oneWayDelay=" + oneWayDelay + '}';
        }

        /** Builds {@link Settings}; not thread-safe. */
        public static final class Builder {
            private int maxChunk = DEFAULT_MAX_CHUNK;
            private int bufferLimit = DEFAULT_BUFFER_LIMIT;
            private long seed = DEFAULT_SEED;
            private Duration oneWayDelay = Duration.ZERO;

            private Builder() {
            }

            /** @param bytes 1 to 16 MiB */
            public Builder maxChunk(int bytes) {
                this.maxChunk = bytes;
                return this;
            }

            /** @param bytes 1 to 1 GiB */
            public Builder bufferLimit(int bytes) {
                this.bufferLimit = bytes;
                return this;
            }

            public Builder seed(long seed) {
                this.seed = seed;
                return this;
            }

            /** @param delay zero (the default) to {@link #MAX_DELAY} */
            public Builder oneWayDelay(Duration delay) {
                this.oneWayDelay = delay;
                return this;
            }

            /** @throws IllegalArgumentException naming the field and its allowed range */
            public Settings build() {
                if (maxChunk < 1 || maxChunk > 16 * 1024 * 1024) {
                    throw new IllegalArgumentException("maxChunk is " + maxChunk + " but must be between 1 and "
                            + 16 * 1024 * 1024);
                }
                if (bufferLimit < 1 || bufferLimit > 1 << 30) {
                    throw new IllegalArgumentException("bufferLimit is " + bufferLimit + " but must be between 1 and "
                            + (1 << 30));
                }
                if (oneWayDelay == null || oneWayDelay.isNegative() || oneWayDelay.compareTo(MAX_DELAY) > 0) {
                    throw new IllegalArgumentException("oneWayDelay is " + oneWayDelay + " but must be between "
                            + Duration.ZERO + " and " + MAX_DELAY);
                }
                return new Settings(this);
            }
        }
    }
}
