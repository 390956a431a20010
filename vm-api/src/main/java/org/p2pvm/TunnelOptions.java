package org.p2pvm;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one tunnel end: the PROTOCOL.md §3 settings it advertises in HELLO, the sending
 * behaviour of §7, the timeouts of §4 and §8, and the shared authentication token.
 *
 * <p>Immutable and thread-safe; build with {@link #builder()}. Every value is checked by
 * {@link Builder#build()}, which names the offending field in its message. Both ends must use the
 * same token; the other settings may differ (each end advertises its own limits).
 */
public final class TunnelOptions {
    /** §3 MAX_FRAME_PAYLOAD bounds. */
    public static final int MIN_FRAGMENT_SIZE = 64;
    public static final int MAX_FRAGMENT_SIZE = 0xFFFFFF;
    /** Largest window of §6. */
    public static final int MAX_WINDOW = Integer.MAX_VALUE;

    private static final TunnelOptions DEFAULTS = new Builder().build();

    private final int maxFragmentSize;
    private final int initialStreamWindow;
    private final int initialTunnelWindow;
    private final int maxStreamWindow;
    private final int maxTunnelWindow;
    private final long maxStreams;
    private final long maxListens;
    private final int maxBatchBytes;
    private final int streamWriteHighWaterMark;
    private final int maxPingsPerSecond;
    private final int maxResetsPerSecond;
    private final int maxListenChangesPerSecond;
    private final int maxEmptyFramesPerSecond;
    private final int maxControlBacklogBytes;
    private final int maxPendingHandshakes;
    private final Duration handshakeTimeout;
    private final Duration keepaliveInterval;
    private final Duration keepaliveTimeout;
    private final Duration drainTimeout;
    private final String authToken;
    private final TlsOptions tls;

    private TunnelOptions(Builder b) {
        this.maxFragmentSize = b.maxFragmentSize;
        this.initialStreamWindow = b.initialStreamWindow;
        this.initialTunnelWindow = b.initialTunnelWindow;
        this.maxStreamWindow = b.effectiveMaxStreamWindow();
        this.maxTunnelWindow = b.effectiveMaxTunnelWindow();
        this.maxStreams = b.maxStreams;
        this.maxListens = b.maxListens;
        this.maxBatchBytes = b.maxBatchBytes;
        this.streamWriteHighWaterMark = b.streamWriteHighWaterMark;
        this.maxPingsPerSecond = b.maxPingsPerSecond;
        this.maxResetsPerSecond = b.maxResetsPerSecond;
        this.maxListenChangesPerSecond = b.maxListenChangesPerSecond;
        this.maxEmptyFramesPerSecond = b.maxEmptyFramesPerSecond;
        this.maxControlBacklogBytes = b.maxControlBacklogBytes;
        this.maxPendingHandshakes = b.maxPendingHandshakes;
        this.handshakeTimeout = b.handshakeTimeout;
        this.keepaliveInterval = b.keepaliveInterval;
        this.keepaliveTimeout = b.keepaliveTimeout;
        this.drainTimeout = b.drainTimeout;
        this.authToken = b.authToken;
        this.tls = b.tls;
    }

    /** The defaults of PROTOCOL.md with an empty (weak) token. */
    public static TunnelOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * The largest DATA payload this end accepts (§3 MAX_FRAME_PAYLOAD, default 16384; the seed's
     * MaxVMFragmentSize). The peer fragments its writes to this size.
     */
    public int maxFragmentSize() {
        return maxFragmentSize;
    }

    /** Receive window of each new stream (§3 INITIAL_STREAM_WINDOW, default 256 KiB). */
    public int initialStreamWindow() {
        return initialStreamWindow;
    }

    /** Receive window of the whole tunnel (§3 INITIAL_TUNNEL_WINDOW, default 16 MiB). */
    public int initialTunnelWindow() {
        return initialTunnelWindow;
    }

    /**
     * Largest receive window one stream may grow to (§6 window growth, default 64 MiB: one stream at
     * 100 ms RTT can move up to ≈ 640 MB/s). A stream gets more credit only while its window, not the
     * link, limits the sender (its credit comes back within two minimum RTTs), so on short links the
     * window stays near the initial one; set this equal to {@link #initialStreamWindow()} to turn
     * growth off.
     */
    public int maxStreamWindow() {
        return maxStreamWindow;
    }

    /**
     * Largest receive window the whole tunnel may grow to (§6, default 128 MiB): the bound on bytes the
     * peer may have in flight towards this end, and so on what this end buffers for slow readers. A
     * tunnel only gets there on a link whose bandwidth-delay product is tens of MiB and whose readers
     * drain at that rate; servers holding many such tunnels should lower it.
     */
    public int maxTunnelWindow() {
        return maxTunnelWindow;
    }

    /** Concurrent streams this end accepts from the peer (§3 MAX_STREAMS, default 1,048,576). */
    public long maxStreams() {
        return maxStreams;
    }

    /** Listen entries this end keeps for the peer (§3 MAX_LISTENS, default 4096). */
    public long maxListens() {
        return maxListens;
    }

    /** Largest carrier write the writer forms (§7, the seed's MaxRealBuffer; default 2 MiB). */
    public int maxBatchBytes() {
        return maxBatchBytes;
    }

    /**
     * Queued, unsent bytes above which a {@link VmConnection} reports itself not writable
     * (default 256 KiB). Writes beyond it are still accepted; the mark is a signal, not a limit.
     */
    public int streamWriteHighWaterMark() {
        return streamWriteHighWaterMark;
    }

    /**
     * PING frames the peer may send per second, with a burst of ten seconds' worth (default 100);
     * more is a flood (GOAWAY LIMIT_EXCEEDED, PROTOCOL.md §10).
     */
    public int maxPingsPerSecond() {
        return maxPingsPerSecond;
    }

    /**
     * RESETs the peer may send per second on streams still open here, plus OPENs of the peer's that
     * this end refuses (each costs a RESET), burst ten seconds' worth (default 1000): the rapid-reset
     * guard (CVE-2023-44487, PROTOCOL.md §10).
     */
    public int maxResetsPerSecond() {
        return maxResetsPerSecond;
    }

    /** LISTEN frames the peer may send per second, burst ten seconds' worth (default 100, §10). */
    public int maxListenChangesPerSecond() {
        return maxListenChangesPerSecond;
    }

    /**
     * Frames that carry nothing (DATA without payload or FIN, unknown types) the peer may send per
     * second, burst ten seconds' worth (default 100, §10).
     */
    public int maxEmptyFramesPerSecond() {
        return maxEmptyFramesPerSecond;
    }

    /**
     * Control bytes (PING ACKs, WINDOW, RESET answers, GOAWAY) this end may queue for a peer that does
     * not read them (default 1 MiB); above it the end stops reading the carrier until the peer reads,
     * so a peer that floods without reading costs at most this much memory (PROTOCOL.md §10).
     */
    public int maxControlBacklogBytes() {
        return maxControlBacklogBytes;
    }

    /**
     * Carriers an accepting server holds before their handshake completes (default 1024); each one
     * beyond is closed at once with GOAWAY LIMIT_EXCEEDED (the accept backlog of PROTOCOL.md §10).
     * Applies to servers ({@code Transport.bind}): the count is per bound server.
     */
    public int maxPendingHandshakes() {
        return maxPendingHandshakes;
    }

    /** How long the handshake may take before the carrier is closed with TIMEOUT (§4, default 10 s). */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** How long an idle end waits before sending PING (§8, default 15 s). */
    public Duration keepaliveInterval() {
        return keepaliveInterval;
    }

    /** How long without any inbound byte before the tunnel closes with TIMEOUT (§8, default 45 s). */
    public Duration keepaliveTimeout() {
        return keepaliveTimeout;
    }

    /** How long a graceful GOAWAY waits for streams to finish before closing anyway (§8, default 30 s). */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /**
     * The shared secret of the AUTH handshake (§4). Empty is valid but weak. Never logged:
     * {@link #toString()} masks it.
     */
    public String authToken() {
        return authToken;
    }

    /** TLS on the carrier, or null for plaintext (the token handshake still authenticates). */
    public TlsOptions tls() {
        return tls;
    }

    @Override
    public String toString() {
        return "TunnelOptions{maxFragmentSize=" + maxFragmentSize
                + ", initialStreamWindow=" + initialStreamWindow
                + ", initialTunnelWindow=" + initialTunnelWindow
                + ", maxStreamWindow=" + maxStreamWindow
                + ", maxTunnelWindow=" + maxTunnelWindow
                + ", maxStreams=" + maxStreams
                + ", maxListens=" + maxListens
                + ", maxBatchBytes=" + maxBatchBytes
                + ", streamWriteHighWaterMark=" + streamWriteHighWaterMark
                + ", maxPingsPerSecond=" + maxPingsPerSecond
                + ", maxResetsPerSecond=" + maxResetsPerSecond
                + ", maxListenChangesPerSecond=" + maxListenChangesPerSecond
                + ", maxEmptyFramesPerSecond=" + maxEmptyFramesPerSecond
                + ", maxControlBacklogBytes=" + maxControlBacklogBytes
                + ", maxPendingHandshakes=" + maxPendingHandshakes
                + ", handshakeTimeout=" + handshakeTimeout
                + ", keepaliveInterval=" + keepaliveInterval
                + ", keepaliveTimeout=" + keepaliveTimeout
                + ", drainTimeout=" + drainTimeout
                + ", authToken=" + (authToken.isEmpty() ? "<empty>" : "<set>")
                + ", tls=" + tls + '}';
    }

    /** Builds {@link TunnelOptions}; not thread-safe. */
    public static final class Builder {
        private int maxFragmentSize = 16384;
        private int initialStreamWindow = 256 * 1024;
        private int initialTunnelWindow = 16 * 1024 * 1024;
        /** -1: the default, or the initial window when that is larger. */
        private int maxStreamWindow = -1;
        private int maxTunnelWindow = -1;
        private long maxStreams = 1 << 20;
        private long maxListens = 4096;
        private int maxBatchBytes = 2 * 1024 * 1024;
        private int streamWriteHighWaterMark = 256 * 1024;
        private int maxPingsPerSecond = 100;
        private int maxResetsPerSecond = 1000;
        private int maxListenChangesPerSecond = 100;
        private int maxEmptyFramesPerSecond = 100;
        private int maxControlBacklogBytes = 1 << 20;
        private int maxPendingHandshakes = 1024;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration keepaliveInterval = Duration.ofSeconds(15);
        private Duration keepaliveTimeout = Duration.ofSeconds(45);
        private Duration drainTimeout = Duration.ofSeconds(30);
        private String authToken = "";
        private TlsOptions tls;

        private Builder() {
        }

        private Builder(TunnelOptions o) {
            maxFragmentSize = o.maxFragmentSize;
            initialStreamWindow = o.initialStreamWindow;
            initialTunnelWindow = o.initialTunnelWindow;
            maxStreamWindow = o.maxStreamWindow;
            maxTunnelWindow = o.maxTunnelWindow;
            maxStreams = o.maxStreams;
            maxListens = o.maxListens;
            maxBatchBytes = o.maxBatchBytes;
            streamWriteHighWaterMark = o.streamWriteHighWaterMark;
            maxPingsPerSecond = o.maxPingsPerSecond;
            maxResetsPerSecond = o.maxResetsPerSecond;
            maxListenChangesPerSecond = o.maxListenChangesPerSecond;
            maxEmptyFramesPerSecond = o.maxEmptyFramesPerSecond;
            maxControlBacklogBytes = o.maxControlBacklogBytes;
            maxPendingHandshakes = o.maxPendingHandshakes;
            handshakeTimeout = o.handshakeTimeout;
            keepaliveInterval = o.keepaliveInterval;
            keepaliveTimeout = o.keepaliveTimeout;
            drainTimeout = o.drainTimeout;
            authToken = o.authToken;
            tls = o.tls;
        }

        public Builder maxFragmentSize(int bytes) {
            this.maxFragmentSize = bytes;
            return this;
        }

        public Builder initialStreamWindow(int bytes) {
            this.initialStreamWindow = bytes;
            return this;
        }

        public Builder initialTunnelWindow(int bytes) {
            this.initialTunnelWindow = bytes;
            return this;
        }

        /** Growth limit of one stream's receive window; see {@link TunnelOptions#maxStreamWindow()}. */
        public Builder maxStreamWindow(int bytes) {
            this.maxStreamWindow = bytes;
            return this;
        }

        /** Growth limit of the tunnel's receive window; see {@link TunnelOptions#maxTunnelWindow()}. */
        public Builder maxTunnelWindow(int bytes) {
            this.maxTunnelWindow = bytes;
            return this;
        }

        public Builder maxStreams(long streams) {
            this.maxStreams = streams;
            return this;
        }

        public Builder maxListens(long listens) {
            this.maxListens = listens;
            return this;
        }

        public Builder maxBatchBytes(int bytes) {
            this.maxBatchBytes = bytes;
            return this;
        }

        public Builder streamWriteHighWaterMark(int bytes) {
            this.streamWriteHighWaterMark = bytes;
            return this;
        }

        public Builder maxPingsPerSecond(int perSecond) {
            this.maxPingsPerSecond = perSecond;
            return this;
        }

        public Builder maxResetsPerSecond(int perSecond) {
            this.maxResetsPerSecond = perSecond;
            return this;
        }

        public Builder maxListenChangesPerSecond(int perSecond) {
            this.maxListenChangesPerSecond = perSecond;
            return this;
        }

        public Builder maxEmptyFramesPerSecond(int perSecond) {
            this.maxEmptyFramesPerSecond = perSecond;
            return this;
        }

        /** See {@link TunnelOptions#maxControlBacklogBytes()}: 4 KiB to 1 GiB. */
        public Builder maxControlBacklogBytes(int bytes) {
            this.maxControlBacklogBytes = bytes;
            return this;
        }

        /** See {@link TunnelOptions#maxPendingHandshakes()}: 1 to 1,000,000. */
        public Builder maxPendingHandshakes(int carriers) {
            this.maxPendingHandshakes = carriers;
            return this;
        }

        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        public Builder keepaliveInterval(Duration interval) {
            this.keepaliveInterval = interval;
            return this;
        }

        public Builder keepaliveTimeout(Duration timeout) {
            this.keepaliveTimeout = timeout;
            return this;
        }

        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = timeout;
            return this;
        }

        /** TLS on the carrier; null (the default) for plaintext. */
        public Builder tls(TlsOptions tlsOptions) {
            this.tls = tlsOptions;
            return this;
        }

        /** The shared token; {@code null} is rejected, empty is allowed (weak). */
        public Builder authToken(String token) {
            this.authToken = token;
            return this;
        }

        /**
         * Checks every value and builds the options.
         *
         * @throws IllegalArgumentException naming the field and the allowed range
         */
        public TunnelOptions build() {
            range("maxFragmentSize", maxFragmentSize, MIN_FRAGMENT_SIZE, MAX_FRAGMENT_SIZE);
            range("initialStreamWindow", initialStreamWindow, 1, MAX_WINDOW);
            range("initialTunnelWindow", initialTunnelWindow, 1, MAX_WINDOW);
            range("maxStreamWindow", effectiveMaxStreamWindow(), initialStreamWindow, MAX_WINDOW);
            range("maxTunnelWindow", effectiveMaxTunnelWindow(), initialTunnelWindow, MAX_WINDOW);
            range("maxStreams", maxStreams, 1, 0xFFFFFFFFL);
            range("maxListens", maxListens, 0, 0xFFFFFFFFL);
            range("maxBatchBytes", maxBatchBytes, 9 + MIN_FRAGMENT_SIZE, 1 << 30);
            range("streamWriteHighWaterMark", streamWriteHighWaterMark, 1, MAX_WINDOW);
            range("maxPingsPerSecond", maxPingsPerSecond, 1, 1_000_000_000);
            range("maxResetsPerSecond", maxResetsPerSecond, 1, 1_000_000_000);
            range("maxListenChangesPerSecond", maxListenChangesPerSecond, 1, 1_000_000_000);
            range("maxEmptyFramesPerSecond", maxEmptyFramesPerSecond, 1, 1_000_000_000);
            // below a few frames' worth the end would stop reading after its own HELLO and keepalives
            range("maxControlBacklogBytes", maxControlBacklogBytes, 4096, 1 << 30);
            range("maxPendingHandshakes", maxPendingHandshakes, 1, 1_000_000);
            positive("handshakeTimeout", handshakeTimeout);
            positive("keepaliveInterval", keepaliveInterval);
            positive("keepaliveTimeout", keepaliveTimeout);
            positive("drainTimeout", drainTimeout);
            if (keepaliveTimeout.compareTo(keepaliveInterval) <= 0) {
                throw new IllegalArgumentException("keepaliveTimeout (" + keepaliveTimeout
                        + ") must be longer than keepaliveInterval (" + keepaliveInterval
                        + "), or an idle but healthy tunnel would time out");
            }
            if (authToken == null) {
                throw new IllegalArgumentException("authToken must not be null; use \"\" for no token (weak)");
            }
            return new TunnelOptions(this);
        }

        private int effectiveMaxStreamWindow() {
            return maxStreamWindow >= 0 ? maxStreamWindow : Math.max(64 * 1024 * 1024, initialStreamWindow);
        }

        private int effectiveMaxTunnelWindow() {
            return maxTunnelWindow >= 0 ? maxTunnelWindow : Math.max(128 * 1024 * 1024, initialTunnelWindow);
        }

        private static void range(String field, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(field + " is " + value + " but must be between " + min
                        + " and " + max);
            }
        }

        private static void positive(String field, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(field + " must be a positive duration, got " + d);
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TunnelOptions t)) {
            return false;
        }
        return maxFragmentSize == t.maxFragmentSize && initialStreamWindow == t.initialStreamWindow
                && initialTunnelWindow == t.initialTunnelWindow && maxStreams == t.maxStreams
                && maxStreamWindow == t.maxStreamWindow && maxTunnelWindow == t.maxTunnelWindow
                && maxListens == t.maxListens && maxBatchBytes == t.maxBatchBytes
                && streamWriteHighWaterMark == t.streamWriteHighWaterMark
                && maxPingsPerSecond == t.maxPingsPerSecond && maxResetsPerSecond == t.maxResetsPerSecond
                && maxListenChangesPerSecond == t.maxListenChangesPerSecond
                && maxEmptyFramesPerSecond == t.maxEmptyFramesPerSecond
                && maxControlBacklogBytes == t.maxControlBacklogBytes && maxPendingHandshakes == t.maxPendingHandshakes
                && handshakeTimeout.equals(t.handshakeTimeout) && keepaliveInterval.equals(t.keepaliveInterval)
                && keepaliveTimeout.equals(t.keepaliveTimeout) && drainTimeout.equals(t.drainTimeout)
                && authToken.equals(t.authToken) && Objects.equals(tls, t.tls);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxFragmentSize, initialStreamWindow, initialTunnelWindow, maxStreamWindow,
                maxTunnelWindow, maxStreams, maxListens,
                maxBatchBytes, streamWriteHighWaterMark, maxPingsPerSecond, maxResetsPerSecond,
                maxListenChangesPerSecond, maxEmptyFramesPerSecond, maxControlBacklogBytes, maxPendingHandshakes,
                handshakeTimeout, keepaliveInterval, keepaliveTimeout,
                drainTimeout, authToken, tls);
    }
}
