package org.p2pvm.transport.grizzly.internal;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.CloseReason;
import org.glassfish.grizzly.Closeable;
import org.glassfish.grizzly.CompletionHandler;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.Context;
import org.glassfish.grizzly.Grizzly;
import org.glassfish.grizzly.GrizzlyFuture;
import org.glassfish.grizzly.ICloseType;
import org.glassfish.grizzly.IOEvent;
import org.glassfish.grizzly.IOEventLifeCycleListener;
import org.glassfish.grizzly.Processor;
import org.glassfish.grizzly.ProcessorExecutor;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.WriteResult;
import org.glassfish.grizzly.asyncqueue.PushBackHandler;
import org.glassfish.grizzly.impl.FutureImpl;
import org.glassfish.grizzly.memory.MemoryManager;
import org.glassfish.grizzly.utils.Futures;
import org.p2pvm.ErrorCode;
import org.p2pvm.VmConnection;
import org.p2pvm.transport.grizzly.VmAddresses;
import org.p2pvm.transport.grizzly.VmTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link VmConnection} seen as a Grizzly {@link Connection}, so an unchanged filter chain runs
 * over it (see {@link VmTransport} for the mapping and its limits).
 *
 * <h2>Threading</h2>
 * Events (accept/connect, read, close) enter the processor on the tunnel's executor, where the
 * {@link VmConnection.Handler} callbacks run; writes, close and writability calls may come from any
 * thread (the {@link VmConnection} is thread-safe). Close listeners and {@code handleClose} run once.
 *
 * <h2>Buffers</h2>
 * Each inbound chunk is copied into a Grizzly buffer that the chain owns (codecs dispose it or keep
 * it as a remainder). An outbound {@link Buffer} is sent without copying: its {@link ByteBuffer}
 * views go to {@link VmConnection#write}, and the buffer is disposed once the last one completed.
 */
// Grizzly's own interfaces are raw-typed and keep deprecated members; implementing them needs the same signatures
@SuppressWarnings({"rawtypes", "unchecked", "deprecation"})
public final class VmGrizzlyConnection extends ConnectionPlumbing {
    private static final Logger LOG = LoggerFactory.getLogger(VmGrizzlyConnection.class);

    private final VmTransport transport;
    private final VmConnection vm;
    private final Executor executor;
    private final SocketAddress localAddress;
    private final SocketAddress peerAddress;
    private final List<org.glassfish.grizzly.CloseListener> closeListeners = new CopyOnWriteArrayList<>();
    private final Queue<WriteHandler> writeHandlers = new ConcurrentLinkedQueue<>();
    private final FutureImpl<CloseReason> closeFuture = Futures.createSafeFuture();
    private final AtomicBoolean closeStarted = new AtomicBoolean();
    private final AtomicBoolean closeFired = new AtomicBoolean();
    private final ReadLifeCycle readLifeCycle = new ReadLifeCycle();

    private volatile CloseReason closeReason;
    /** The chunk the next READ event hands to the chain; executor-confined. */
    private Buffer pendingRead;
    private final Object writeLock = new Object();
    /** Completes when every write given so far completed (for flush); guarded by writeLock. */
    private CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);

    private VmGrizzlyConnection(VmTransport transport, VmConnection vm, Processor processor) {
        super(processor);
        this.transport = transport;
        this.vm = vm;
        this.executor = vm.tunnel().executor();
        this.localAddress = VmAddresses.toSocketAddress(vm.localAddress());
        this.peerAddress = VmAddresses.toSocketAddress(vm.remoteAddress());
    }

    /** Wraps an accepted virtual connection and fires ACCEPTED; on the tunnel's executor (the server's acceptor). */
    public static VmGrizzlyConnection accepted(VmTransport transport, VmConnection vm, Processor processor) {
        VmGrizzlyConnection c = new VmGrizzlyConnection(transport, vm, processor);
        vm.setHandler(c.new Events());
        c.fire(IOEvent.ACCEPTED, null);
        return c;
    }

    /** Wraps an opened virtual connection, fires CONNECTED on the tunnel's executor, then completes. */
    public static CompletableFuture<org.glassfish.grizzly.Connection<SocketAddress>> connected(VmTransport transport,
            VmConnection vm, Processor processor) {
        CompletableFuture<org.glassfish.grizzly.Connection<SocketAddress>> done = new CompletableFuture<>();
        vm.tunnel().executor().execute(() -> {
            try {
                VmGrizzlyConnection c = new VmGrizzlyConnection(transport, vm, processor);
                vm.setHandler(c.new Events());
                c.fire(IOEvent.CONNECTED, null);
                done.complete(c);
            } catch (RuntimeException | Error e) {
                vm.reset(ErrorCode.INTERNAL_ERROR);
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** The virtual connection under this Grizzly connection. */
    public VmConnection vmConnection() {
        return vm;
    }

    /** Runs {@code event} through the processor; call on the tunnel's executor. */
    public void fire(IOEvent event, IOEventLifeCycleListener listener) {
        Processor p = obtainProcessor(event);
        if (p == null) {
            return;
        }
        ProcessorExecutor.execute(Context.create(this, p, event, listener));
    }

    /** Hands the chunk of the current READ event to the transport filter (once). */
    Buffer takePendingRead() {
        Buffer b = pendingRead;
        pendingRead = null;
        return b;
    }

    /** The stream's events, turned into chain events; on the tunnel's executor. */
    private final class Events implements VmConnection.Handler {
        @Override
        public void onData(VmConnection connection, ByteBuffer data) {
            if (closeFired.get()) {
                return;
            }
            Buffer copy = getMemoryManager().allocate(data.remaining());
            copy.put(data);
            copy.flip();
            pendingRead = copy;
            fire(IOEvent.READ, readLifeCycle);
            if (pendingRead != null) { // no TransportFilter took it
                pendingRead.tryDispose();
                pendingRead = null;
            }
        }

        @Override
        public void onInputShutdown(VmConnection connection) {
            // Grizzly has no half-close: end of input closes the connection, after the queued writes
            beginClose(new CloseReason(org.glassfish.grizzly.CloseType.REMOTELY, new java.io.EOFException("peer closed its output")), false, null);
        }

        @Override
        public void onWritabilityChanged(VmConnection connection) {
            if (connection.isWritable()) {
                notifyWritable();
            }
        }

        @Override
        public void onClosed(VmConnection connection, Throwable failure) {
            CloseReason reason = failure == null ? CloseReason.REMOTELY_CLOSED_REASON
                    : new CloseReason(org.glassfish.grizzly.CloseType.REMOTELY, failure instanceof IOException ? (IOException) failure : new IOException(failure.getMessage(), failure));
            if (closeReason == null) {
                closeReason = reason;
            }
            closeStarted.set(true);
            fireClosed();
        }
    }

    /** Pauses reading while a read context is suspended (the chain went asynchronous), as Grizzly does with read interest. */
    private final class ReadLifeCycle extends IOEventLifeCycleListener.Adapter {
        @Override
        public void onContextSuspend(Context context) {
            vm.pauseReading();
        }

        @Override
        public void onContextResume(Context context) {
            vm.resumeReading();
        }
    }

    // ------------------------------------------------------------------ writing

    /** Sends {@code buffer}; {@code handler} completes after its last byte was handed to the carrier. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void send(Buffer buffer, CompletionHandler handler) {
        if (!isOpen() && closeFired.get()) {
            buffer.tryDispose();
            fail(handler, new IOException("connection closed"));
            return;
        }
        int size = buffer.remaining();
        ByteBuffer[] parts;
        if (buffer.isComposite()) {
            org.glassfish.grizzly.memory.ByteBufferArray array = buffer.toByteBufferArray();
            parts = new ByteBuffer[array.size()];
            ByteBuffer[] raw = array.getArray();
            for (int i = 0; i < parts.length; i++) {
                parts[i] = raw[i].duplicate(); // the engine owns these views until completion
            }
            array.restore();
            array.recycle();
        } else {
            parts = new ByteBuffer[] {buffer.toByteBuffer()};
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (writeLock) {
            for (int i = 0; i < parts.length; i++) {
                boolean last = i == parts.length - 1;
                vm.write(parts[i], failure -> {
                    if (failure != null) {
                        done.completeExceptionally(failure);
                    } else if (last) {
                        done.complete(null);
                    }
                });
            }
            lastWrite = done;
        }
        done.whenComplete((v, failure) -> {
            buffer.tryDispose();
            if (handler == null) {
                return;
            }
            if (failure != null) {
                fail(handler, failure);
            } else {
                handler.completed(WriteResult.create(this, buffer, peerAddress, size));
            }
        });
    }

    /** Completes {@code handler} once every write given so far completed (TransportFilter's flush). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    void flush(CompletionHandler handler) {
        CompletableFuture<Void> last;
        synchronized (writeLock) {
            last = lastWrite;
        }
        last.whenComplete((v, failure) -> {
            if (handler == null) {
                return;
            }
            if (failure != null) {
                fail(handler, failure);
            } else {
                handler.completed(WriteResult.create(this));
            }
        });
    }

    @SuppressWarnings("rawtypes")
    private static void fail(CompletionHandler handler, Throwable failure) {
        if (handler != null) {
            handler.failed(failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure);
        }
    }

    @Override
    public <M> GrizzlyFuture<WriteResult<M, SocketAddress>> write(M message) {
        FutureImpl<WriteResult<M, SocketAddress>> future = Futures.createSafeFuture();
        write(null, message, Futures.toCompletionHandler(future), (PushBackHandler) null);
        return future;
    }

    @Override
    public <M> void write(M message, CompletionHandler<WriteResult<M, SocketAddress>> completionHandler) {
        write(null, message, completionHandler, (PushBackHandler) null);
    }

    @Override
    @Deprecated
    public <M> void write(M message, CompletionHandler<WriteResult<M, SocketAddress>> completionHandler,
            PushBackHandler pushbackHandler) {
        write(null, message, completionHandler, pushbackHandler);
    }

    @Override
    public <M> void write(SocketAddress dstAddress, M message, CompletionHandler<WriteResult<M, SocketAddress>> completionHandler) {
        write(dstAddress, message, completionHandler, (PushBackHandler) null);
    }

    @Override
    @Deprecated
    @SuppressWarnings("unchecked")
    public <M> void write(SocketAddress dstAddress, M message, CompletionHandler<WriteResult<M, SocketAddress>> completionHandler,
            PushBackHandler pushbackHandler) {
        Processor p = obtainProcessor(IOEvent.WRITE);
        p.write(this, dstAddress, message, completionHandler, (org.glassfish.grizzly.asyncqueue.MessageCloner) null);
    }

    @Override
    public boolean canWrite() {
        return vm.isWritable();
    }

    @Override
    @Deprecated
    public boolean canWrite(int length) {
        return canWrite();
    }

    @Override
    public void notifyCanWrite(WriteHandler handler) {
        writeHandlers.add(handler);
        if (vm.isWritable() || !isOpen()) {
            executor.execute(this::notifyWritable);
        }
    }

    @Override
    @Deprecated
    public void notifyCanWrite(WriteHandler handler, int length) {
        notifyCanWrite(handler);
    }

    private void notifyWritable() {
        WriteHandler h;
        while ((vm.isWritable() || !isOpen()) && (h = writeHandlers.poll()) != null) {
            try {
                if (isOpen()) {
                    h.onWritePossible();
                } else {
                    h.onError(new IOException("connection closed"));
                }
            } catch (Throwable t) {
                h.onError(t);
            }
        }
    }

    // ------------------------------------------------------------------ closing

    /**
     * Starts closing: FIN after the queued writes ({@code reset} null), or RESET {@code reset} at once.
     * The close event fires when the FIN is written, the stream ends, or at once for a reset.
     */
    private void beginClose(CloseReason reason, boolean abort, ErrorCode reset) {
        if (!closeStarted.compareAndSet(false, true)) {
            return;
        }
        closeReason = reason;
        if (abort) {
            vm.reset(reset);
            executor.execute(this::fireClosed);
            return;
        }
        CompletableFuture<Void> fin = vm.shutdownOutput();
        vm.close();
        fin.whenComplete((v, e) -> executor.execute(this::fireClosed));
    }

    /** Fires CLOSED through the chain and notifies close listeners, once; on the executor. */
    private void fireClosed() {
        if (!closeFired.compareAndSet(false, true)) {
            return;
        }
        CloseReason reason = closeReason != null ? closeReason : CloseReason.LOCALLY_CLOSED_REASON;
        if (pendingRead != null) {
            pendingRead.tryDispose();
            pendingRead = null;
        }
        try {
            fire(IOEvent.CLOSED, null);
        } catch (RuntimeException e) {
            LOG.debug("handleClose failed on {}", this, e);
        }
        for (org.glassfish.grizzly.CloseListener l : closeListeners) {
            try {
                l.onClosed(this, (ICloseType) reason.getType());
            } catch (Exception e) {
                LOG.debug("close listener failed on {}", this, e);
            }
        }
        notifyWritable(); // fail waiting write handlers
        closeFuture.result(reason);
    }

    @Override
    public boolean isOpen() {
        return !closeStarted.get();
    }

    @Override
    public void assertOpen() throws IOException {
        if (!isOpen()) {
            CloseReason r = closeReason;
            throw new IOException("connection closed", r == null ? null : r.getCause());
        }
    }

    @Override
    public CloseReason getCloseReason() {
        return closeReason;
    }

    @Override
    public GrizzlyFuture<Closeable> close() {
        FutureImpl<Closeable> f = Futures.createSafeFuture();
        close(Futures.toCompletionHandler(f));
        return f;
    }

    @Override
    public void close(CompletionHandler<Closeable> completionHandler) {
        beginClose(CloseReason.LOCALLY_CLOSED_REASON, false, null);
        if (completionHandler != null) {
            closeFuture.addCompletionHandler(new org.glassfish.grizzly.EmptyCompletionHandler<CloseReason>() {
                @Override
                public void completed(CloseReason result) {
                    completionHandler.completed(VmGrizzlyConnection.this);
                }
            });
        }
    }

    @Override
    public void closeSilently() {
        beginClose(CloseReason.LOCALLY_CLOSED_REASON, false, null);
    }

    /** Grizzly calls this when a filter failed: the stream is aborted with RESET INTERNAL_ERROR. */
    @Override
    public void closeWithReason(IOException reason) {
        beginClose(new CloseReason(org.glassfish.grizzly.CloseType.LOCALLY, reason), true, ErrorCode.INTERNAL_ERROR);
    }

    @Override
    public void terminateSilently() {
        beginClose(CloseReason.LOCALLY_CLOSED_REASON, true, ErrorCode.CANCELLED);
    }

    @Override
    public GrizzlyFuture<Closeable> terminate() {
        terminateSilently();
        return Futures.createReadyFuture(this);
    }

    @Override
    public void terminateWithReason(IOException reason) {
        beginClose(new CloseReason(org.glassfish.grizzly.CloseType.LOCALLY, reason), true, ErrorCode.CANCELLED);
    }

    @Override
    public GrizzlyFuture<CloseReason> closeFuture() {
        return closeFuture;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public void addCloseListener(org.glassfish.grizzly.CloseListener closeListener) {
        closeListeners.add(closeListener);
        CloseReason r = closeReason;
        if (closeFired.get() && closeListeners.remove(closeListener)) {
            try {
                closeListener.onClosed(this, r == null ? (ICloseType) org.glassfish.grizzly.CloseType.LOCALLY : r.getType());
            } catch (IOException e) {
                LOG.debug("close listener failed", e);
            }
        }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public boolean removeCloseListener(org.glassfish.grizzly.CloseListener closeListener) {
        return closeListeners.remove(closeListener);
    }

    @Override
    @Deprecated
    public void addCloseListener(Connection.CloseListener closeListener) {
        addCloseListener((org.glassfish.grizzly.CloseListener) closeListener);
    }

    @Override
    @Deprecated
    public boolean removeCloseListener(Connection.CloseListener closeListener) {
        return removeCloseListener((org.glassfish.grizzly.CloseListener) closeListener);
    }

    @Override
    public void notifyConnectionError(Throwable error) {
        LOG.debug("connection error on {}", this, error);
    }

    // ------------------------------------------------------------------ transport, addresses, interest

    @Override
    public VmTransport getTransport() {
        return transport;
    }

    @Override
    public void executeInEventThread(IOEvent event, Runnable runnable) {
        executor.execute(runnable);
    }

    @Override
    public MemoryManager<?> getMemoryManager() {
        return transport.getMemoryManager();
    }

    @Override
    public SocketAddress getPeerAddress() {
        return peerAddress;
    }

    @Override
    public SocketAddress getLocalAddress() {
        return localAddress;
    }

    /** The stream's high water mark: above it {@link #canWrite()} is false. */
    @Override
    public int getMaxAsyncWriteQueueSize() {
        return vm.tunnel().options().streamWriteHighWaterMark();
    }

    /** Ignored: the stream's high water mark and window govern writability. */
    @Override
    public void setMaxAsyncWriteQueueSize(int maxAsyncWriteQueueSize) {
    }

    @Override
    public void simulateIOEvent(IOEvent ioEvent) {
        executor.execute(() -> {
            if (ioEvent == IOEvent.WRITE) {
                notifyWritable();
            } else if (ioEvent != IOEvent.READ) { // a READ without bytes has nothing to deliver
                fire(ioEvent, null);
            }
        });
    }

    /** READ interest is the stream's reading state: off stops credit, so the peer stalls. */
    @Override
    public void enableIOEvent(IOEvent ioEvent) {
        if (ioEvent == IOEvent.READ) {
            vm.resumeReading();
        }
    }

    @Override
    public void disableIOEvent(IOEvent ioEvent) {
        if (ioEvent == IOEvent.READ) {
            vm.pauseReading();
        }
    }

    @Override
    public String toString() {
        return "VmGrizzlyConnection{" + vm.localAddress() + "<-" + vm.remoteAddress() + " stream " + vm.streamId() + '}';
    }

}
