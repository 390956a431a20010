package org.p2pvm.transport.grizzly.internal;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.ConnectionProbe;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.GrizzlyFuture;
import org.glassfish.grizzly.IOEvent;
import org.glassfish.grizzly.Processor;
import org.glassfish.grizzly.ProcessorSelector;
import org.glassfish.grizzly.ReadResult;
import org.glassfish.grizzly.attributes.AttributeHolder;
import org.glassfish.grizzly.monitoring.DefaultMonitoringConfig;
import org.glassfish.grizzly.monitoring.MonitoringConfig;

/**
 * The bookkeeping half of a Grizzly {@link Connection} that has no socket: id, processor and its
 * per-connection state, attributes, monitoring, and settings that only matter to a socket (buffer
 * sizes, timeouts), kept so that filters reading them get sensible values. Thread-safe.
 * {@link VmGrizzlyConnection} adds the data path and the life cycle.
 */
// Grizzly's own interfaces are raw-typed and keep deprecated members; implementing them needs the same signatures
@SuppressWarnings({"rawtypes", "unchecked", "deprecation"})
abstract class ConnectionPlumbing implements Connection<SocketAddress> {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final AttributeHolder attributes = Grizzly.DEFAULT_ATTRIBUTE_BUILDER.createSafeAttributeHolder();
    private final Map<Processor, Object> processorStates = new ConcurrentHashMap<>();
    private final DefaultMonitoringConfig<ConnectionProbe> monitoring = new DefaultMonitoringConfig<>(ConnectionProbe.class);
    private volatile Processor processor;
    private volatile ProcessorSelector processorSelector;
    private volatile int readBufferSize = 16384;
    private volatile int writeBufferSize = 16384;
    private volatile long readTimeoutMillis = -1;
    private volatile long writeTimeoutMillis = -1;

    ConnectionPlumbing(Processor processor) {
        this.processor = processor;
    }

    @Override
    public long getId() {
        return id;
    }

    @Override
    public void configureBlocking(boolean isBlocking) {
        if (isBlocking) {
            throw new UnsupportedOperationException("virtual connections are non-blocking");
        }
    }

    @Override
    public boolean isBlocking() {
        return false;
    }

    @Override
    public void configureStandalone(boolean isStandalone) {
        if (isStandalone) {
            throw new UnsupportedOperationException("virtual connections always run a processor");
        }
    }

    @Override
    public boolean isStandalone() {
        return false;
    }

    @Override
    public Processor obtainProcessor(IOEvent ioEvent) {
        ProcessorSelector selector = processorSelector;
        if (processor == null && selector != null) {
            return selector.select(ioEvent, this);
        }
        return processor;
    }

    @Override
    public Processor getProcessor() {
        return processor;
    }

    @Override
    public void setProcessor(Processor processor) {
        this.processor = processor;
    }

    @Override
    public ProcessorSelector getProcessorSelector() {
        return processorSelector;
    }

    @Override
    public void setProcessorSelector(ProcessorSelector processorSelector) {
        this.processorSelector = processorSelector;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <E> E obtainProcessorState(Processor processor, Supplier<E> factory) {
        return (E) processorStates.computeIfAbsent(processor, p -> factory.get());
    }

    @Override
    public int getReadBufferSize() {
        return readBufferSize;
    }

    @Override
    public void setReadBufferSize(int readBufferSize) {
        this.readBufferSize = readBufferSize;
    }

    @Override
    public int getWriteBufferSize() {
        return writeBufferSize;
    }

    @Override
    public void setWriteBufferSize(int writeBufferSize) {
        this.writeBufferSize = writeBufferSize;
    }

    @Override
    public long getReadTimeout(TimeUnit timeUnit) {
        return readTimeoutMillis < 0 ? -1 : timeUnit.convert(readTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void setReadTimeout(long timeout, TimeUnit timeUnit) {
        readTimeoutMillis = timeout < 0 ? -1 : timeUnit.toMillis(timeout);
    }

    @Override
    public long getWriteTimeout(TimeUnit timeUnit) {
        return writeTimeoutMillis < 0 ? -1 : timeUnit.convert(writeTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void setWriteTimeout(long timeout, TimeUnit timeUnit) {
        writeTimeoutMillis = timeout < 0 ? -1 : timeUnit.toMillis(timeout);
    }

    @Override
    public MonitoringConfig<ConnectionProbe> getMonitoringConfig() {
        return monitoring;
    }

    @Override
    public AttributeHolder getAttributes() {
        return attributes;
    }

    @Override
    public <M> GrizzlyFuture<ReadResult<M, SocketAddress>> read() {
        throw new UnsupportedOperationException("virtual connections deliver reads through the filter chain (handleRead)");
    }

    @Override
    public <M> void read(CompletionHandler<ReadResult<M, SocketAddress>> completionHandler) {
        throw new UnsupportedOperationException("virtual connections deliver reads through the filter chain (handleRead)");
    }
}
