package org.p2pvm.engine.internal;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.Executor;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.CarrierListener;

/**
 * A deterministic carrier for engine tests. Bytes written are copied into the peer's inbox, and the
 * written buffers are consumed (positions at their limits), as by a socket write; the peer's
 * listener gets them, cut at random points (seeded) into chunks of at most {@code maxChunk}, when
 * the shared {@link ManualLoop} runs. A write completes when the peer has read it, so the engine's
 * one-batch-in-flight rule makes {@link #inboxLimit} real backpressure: while the peer's reading is
 * disabled, the writer stalls.
 */
final class ManualCarrier implements Carrier {
    private final ManualLoop loop;
    private final boolean dialer;
    private final String name;
    ManualCarrier peer;
    CarrierListener listener;
    private final ArrayDeque<ByteBuffer> inbox = new ArrayDeque<>();
    private final ArrayDeque<Runnable> completions = new ArrayDeque<>();
    private boolean readEnabled = true;
    private boolean closed;
    private boolean deliveryScheduled;
    int maxChunk = Integer.MAX_VALUE;
    private final Random random = new Random(42);
    long bytesWritten;
    long writes;
    /** One-way delay of the link, on {@link #clock}; 0 for none. */
    long delayNanos;
    /**
     * Bandwidth of a delayed link in bytes per millisecond of {@link #clock}, 0 for unlimited: bytes
     * queue behind earlier ones (as in socket buffers) before the delay starts.
     */
    long bytesPerMilli;
    private long linkFreeNanos;
    ManualClock clock;
    private final ArrayDeque<Object[]> delayed = new ArrayDeque<>();
    /** Set to make every write fail with this error, as a socket does once the link is gone. */
    java.io.IOException failWrites;
    /** Set to capture every written byte (for scripted-peer tests). */
    java.io.ByteArrayOutputStream tap;
    /** Set to see the buffers of every write as the engine handed them over (before they are consumed). */
    java.util.function.Consumer<ByteBuffer[]> onWrite;

    /** The size in bytes of every write, in order. */
    final java.util.List<Integer> writeSizes = new java.util.ArrayList<>();
    /**
     * Set to hold the completions of writes (on a carrier without a peer) until {@link #completeHeldWrites()},
     * as a socket whose peer does not read holds them.
     */
    boolean holdWrites;
    private final ArrayDeque<WriteCompletion> held = new ArrayDeque<>();
    private boolean writable = true;

    ManualCarrier(ManualLoop loop, boolean dialer, String name) {
        this.loop = loop;
        this.dialer = dialer;
        this.name = name;
    }

    static ManualCarrier[] pair(ManualLoop loop) {
        ManualCarrier a = new ManualCarrier(loop, true, "dialer");
        ManualCarrier b = new ManualCarrier(loop, false, "acceptor");
        a.peer = b;
        b.peer = a;
        return new ManualCarrier[] {a, b};
    }

    @Override
    public Executor executor() {
        return loop;
    }

    @Override
    public boolean inExecutor() {
        return loop.inLoop();
    }

    @Override
    public boolean isDialer() {
        return dialer;
    }

    @Override
    public void write(ByteBuffer[] buffers, int count, WriteCompletion completion) {
        if (closed) {
            loop.execute(() -> completion.complete(new java.io.IOException("closed")));
            return;
        }
        if (failWrites != null) {
            java.io.IOException e = failWrites;
            loop.execute(() -> completion.complete(e));
            return;
        }
        if (onWrite != null) {
            onWrite.accept(java.util.Arrays.copyOf(buffers, count));
        }
        int total = 0;
        for (int i = 0; i < count; i++) {
            total += buffers[i].remaining();
        }
        ByteBuffer copy = ByteBuffer.allocate(total);
        for (int i = 0; i < count; i++) {
            copy.put(buffers[i]); // consumes them, as a socket write does
        }
        copy.flip();
        bytesWritten += total;
        writes++;
        writeSizes.add(total);
        if (tap != null) {
            tap.write(copy.array(), 0, total);
        }
        if (peer == null) {
            if (holdWrites) {
                held.add(completion);
                return;
            }
            completion.complete(null);
            return;
        }
        if (delayNanos > 0) {
            // a long link: the bytes leave at once (the write completes) and arrive one delay later
            long sent = clock.nanoTime();
            if (bytesPerMilli > 0) {
                sent = Math.max(sent, linkFreeNanos) + total * 1_000_000L / bytesPerMilli;
                linkFreeNanos = sent;
            }
            delayed.add(new Object[] {sent + delayNanos, copy});
            loop.execute(() -> completion.complete(null));
            return;
        }
        peer.inbox.add(copy);
        peer.completions.add(() -> completion.complete(null));
        peer.scheduleDelivery();
    }

    /** Hands the peer every delayed chunk whose time has come. */
    void releaseDue() {
        while (!delayed.isEmpty() && (long) delayed.peek()[0] <= clock.nanoTime()) {
            peer.inbox.add((ByteBuffer) delayed.poll()[1]);
            peer.completions.add(() -> { });
            peer.scheduleDelivery();
        }
    }

    private void scheduleDelivery() {
        if (!deliveryScheduled && readEnabled && !closed) {
            deliveryScheduled = true;
            loop.execute(this::deliver);
        }
    }

    private void deliver() {
        deliveryScheduled = false;
        while (readEnabled && !closed && !inbox.isEmpty()) {
            ByteBuffer b = inbox.peek();
            int n = Math.min(b.remaining(), maxChunk == Integer.MAX_VALUE ? b.remaining()
                    : 1 + random.nextInt(maxChunk));
            ByteBuffer chunk = b.slice(b.position(), n);
            b.position(b.position() + n);
            if (!b.hasRemaining()) {
                inbox.poll();
                Runnable c = completions.poll();
                if (c != null) {
                    loop.execute(c);
                }
            }
            listener.onRead(chunk);
        }
    }

    /** Feeds raw bytes to this end's engine, as if the peer had written them. */
    void inject(byte[] bytes) {
        loop.runInLoop(() -> listener.onRead(ByteBuffer.wrap(bytes)));
    }

    /** Completes the writes held so far (see {@link #holdWrites}) as tasks of the loop; returns how many. */
    int completeHeldWrites() {
        int n = held.size();
        while (!held.isEmpty()) {
            WriteCompletion c = held.poll();
            loop.execute(() -> c.complete(null));
        }
        return n;
    }

    /** Writes whose completion is held. */
    int heldWrites() {
        return held.size();
    }

    /** Makes the carrier (un)writable, as a socket's send buffer filling and draining; true calls onWritable. */
    void setWritable(boolean w) {
        boolean turnedOn = w && !writable;
        writable = w;
        if (turnedOn) {
            loop.execute(listener::onWritable);
        }
    }

    /**
     * Set to make the carrier report itself unwritable, as a socket whose peer does not read (no
     * onWritable follows; {@link #setWritable} is the variant that reports the change).
     */
    boolean unwritable;

    @Override
    public boolean isWritable() {
        return !closed && writable && !unwritable;
    }

    @Override
    public void setReadEnabled(boolean enabled) {
        readEnabled = enabled;
        if (enabled) {
            scheduleDelivery();
        }
    }

    boolean readEnabled() {
        return readEnabled;
    }

    @Override
    public void close(boolean flush) {
        if (closed) {
            return;
        }
        closed = true;
        loop.execute(() -> listener.onClosed(null));
        if (peer != null) {
            ManualCarrier p = peer;
            loop.execute(() -> p.remoteClosed());
        }
    }

    private void remoteClosed() {
        // deliver what is in flight, then EOF
        readEnabled = true;
        deliver();
        if (!closed) {
            closed = true;
            listener.onClosed(null);
        }
    }

    /** Drops the link like a reset socket: both ends see an I/O error. */
    void kill() {
        if (!closed) {
            closed = true;
            loop.execute(() -> listener.onClosed(new java.io.IOException("connection reset")));
        }
        if (peer != null && !peer.closed) {
            ManualCarrier p = peer;
            p.closed = true;
            loop.execute(() -> p.listener.onClosed(new java.io.IOException("connection reset")));
        }
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public SocketAddress localAddress() {
        return InetSocketAddress.createUnresolved(name, dialer ? 1 : 2);
    }

    @Override
    public SocketAddress remoteAddress() {
        return InetSocketAddress.createUnresolved(dialer ? "acceptor" : "dialer", dialer ? 2 : 1);
    }
}
