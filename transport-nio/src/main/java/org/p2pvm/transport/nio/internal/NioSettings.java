package org.p2pvm.transport.nio.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.p2pvm.spi.TransportConfig;

/**
 * The nio transport's settings, read once from the {@link TransportConfig} properties (keys
 * {@code nio.*}, listed in {@link org.p2pvm.transport.nio.NioTransport}) and checked: a malformed or
 * out-of-range value, or an unknown {@code nio.*} key (a typo), is an {@link IllegalArgumentException}
 * naming the key. Immutable.
 */
public final class NioSettings {
    public static final String WRITE_HIGH_WATER_MARK = "nio.writeHighWaterMark";
    public static final String WRITE_LOW_WATER_MARK = "nio.writeLowWaterMark";
    public static final String READ_BUFFER_SIZE = "nio.readBufferSize";
    public static final String MAX_READS_PER_EVENT = "nio.maxReadsPerEvent";
    public static final String WRITE_SPIN_COUNT = "nio.writeSpinCount";
    public static final String CONNECT_TIMEOUT_MILLIS = "nio.connectTimeoutMillis";
    public static final String CLOSE_FLUSH_TIMEOUT_MILLIS = "nio.closeFlushTimeoutMillis";
    public static final String SHUTDOWN_TIMEOUT_MILLIS = "nio.shutdownTimeoutMillis";
    public static final String BACKLOG = "nio.backlog";
    public static final String SEND_BUFFER_SIZE = "nio.sendBufferSize";
    public static final String RECEIVE_BUFFER_SIZE = "nio.receiveBufferSize";
    public static final String DAEMON_THREADS = "nio.daemonThreads";

    private static final String PREFIX = "nio.";
    private static final Set<String> KNOWN = Set.of(WRITE_HIGH_WATER_MARK, WRITE_LOW_WATER_MARK, READ_BUFFER_SIZE,
            MAX_READS_PER_EVENT, WRITE_SPIN_COUNT, CONNECT_TIMEOUT_MILLIS, CLOSE_FLUSH_TIMEOUT_MILLIS,
            SHUTDOWN_TIMEOUT_MILLIS, BACKLOG, SEND_BUFFER_SIZE, RECEIVE_BUFFER_SIZE, DAEMON_THREADS);

    private final int ioThreads;
    private final String threadNamePrefix;
    private final int writeHighWaterMark;
    private final int writeLowWaterMark;
    private final int readBufferSize;
    private final int maxReadsPerEvent;
    private final int writeSpinCount;
    private final long connectTimeoutMillis;
    private final long closeFlushTimeoutMillis;
    private final long shutdownTimeoutMillis;
    private final int backlog;
    private final int sendBufferSize;
    private final int receiveBufferSize;
    private final boolean daemonThreads;

    private NioSettings(TransportConfig config) {
        config.requireKnownProperties(PREFIX, KNOWN);
        this.ioThreads = config.effectiveIoThreads();
        this.threadNamePrefix = config.threadNamePrefix();
        this.writeHighWaterMark = config.intProperty(WRITE_HIGH_WATER_MARK, 1 << 20, 1, Integer.MAX_VALUE);
        this.writeLowWaterMark = config.intProperty(WRITE_LOW_WATER_MARK, writeHighWaterMark / 2, 0,
                writeHighWaterMark);
        this.readBufferSize = config.intProperty(READ_BUFFER_SIZE, 64 * 1024, 1024, 64 * 1024 * 1024);
        this.maxReadsPerEvent = config.intProperty(MAX_READS_PER_EVENT, 16, 1, 1024);
        this.writeSpinCount = config.intProperty(WRITE_SPIN_COUNT, 16, 1, 1024);
        this.connectTimeoutMillis = config.longProperty(CONNECT_TIMEOUT_MILLIS, 10_000, 1, Long.MAX_VALUE / 2);
        this.closeFlushTimeoutMillis = config.longProperty(CLOSE_FLUSH_TIMEOUT_MILLIS, 10_000, 1, Long.MAX_VALUE / 2);
        this.shutdownTimeoutMillis = config.longProperty(SHUTDOWN_TIMEOUT_MILLIS, 60_000, 0, Long.MAX_VALUE / 2);
        this.backlog = config.intProperty(BACKLOG, 1024, 1, Integer.MAX_VALUE);
        this.sendBufferSize = config.intProperty(SEND_BUFFER_SIZE, 0, 0, Integer.MAX_VALUE);
        this.receiveBufferSize = config.intProperty(RECEIVE_BUFFER_SIZE, 0, 0, Integer.MAX_VALUE);
        this.daemonThreads = config.booleanProperty(DAEMON_THREADS, false);
    }

    /** Reads and checks the settings of {@code config}. */
    public static NioSettings of(TransportConfig config) {
        return new NioSettings(config);
    }

    /** The documented properties with their defaults, for help texts. */
    public static Map<String, String> defaults() {
        NioSettings d = of(TransportConfig.defaults());
        Map<String, String> m = new LinkedHashMap<>();
        m.put(WRITE_HIGH_WATER_MARK, Integer.toString(d.writeHighWaterMark));
        m.put(WRITE_LOW_WATER_MARK, Integer.toString(d.writeLowWaterMark));
        m.put(READ_BUFFER_SIZE, Integer.toString(d.readBufferSize));
        m.put(MAX_READS_PER_EVENT, Integer.toString(d.maxReadsPerEvent));
        m.put(WRITE_SPIN_COUNT, Integer.toString(d.writeSpinCount));
        m.put(CONNECT_TIMEOUT_MILLIS, Long.toString(d.connectTimeoutMillis));
        m.put(CLOSE_FLUSH_TIMEOUT_MILLIS, Long.toString(d.closeFlushTimeoutMillis));
        m.put(SHUTDOWN_TIMEOUT_MILLIS, Long.toString(d.shutdownTimeoutMillis));
        m.put(BACKLOG, Integer.toString(d.backlog));
        m.put(SEND_BUFFER_SIZE, Integer.toString(d.sendBufferSize));
        m.put(RECEIVE_BUFFER_SIZE, Integer.toString(d.receiveBufferSize));
        m.put(DAEMON_THREADS, Boolean.toString(d.daemonThreads));
        return m;
    }

    /** Selector threads (one per processor unless configured). */
    public int ioThreads() {
        return ioThreads;
    }

    /** Thread name prefix from the config, or null for the default. */
    public String threadNamePrefix() {
        return threadNamePrefix;
    }

    /** Queued outbound bytes above which {@code isWritable()} turns false. */
    public int writeHighWaterMark() {
        return writeHighWaterMark;
    }

    /** Queued outbound bytes at or below which an unwritable carrier turns writable again. */
    public int writeLowWaterMark() {
        return writeLowWaterMark;
    }

    /** Size of each selector thread's direct read buffer. */
    public int readBufferSize() {
        return readBufferSize;
    }

    /** Reads per readiness event before the loop serves other connections (fairness). */
    public int maxReadsPerEvent() {
        return maxReadsPerEvent;
    }

    /** Gathering writes per flush before the loop serves other connections (fairness). */
    public int writeSpinCount() {
        return writeSpinCount;
    }

    public long connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    /** How long {@code close(true)} waits for a peer that does not read before closing anyway. */
    public long closeFlushTimeoutMillis() {
        return closeFlushTimeoutMillis;
    }

    /** How long {@code NioTransport.close()} waits for graceful tunnel closes before forcing. */
    public long shutdownTimeoutMillis() {
        return shutdownTimeoutMillis;
    }

    public int backlog() {
        return backlog;
    }

    /** SO_SNDBUF, 0 for the OS default. */
    public int sendBufferSize() {
        return sendBufferSize;
    }

    /** SO_RCVBUF, 0 for the OS default. */
    public int receiveBufferSize() {
        return receiveBufferSize;
    }

    public boolean daemonThreads() {
        return daemonThreads;
    }
}
