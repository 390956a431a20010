package org.p2pvm.engine.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;

/**
 * The tunnel's serial writer (PROTOCOL.md §7): control frames first, then one fragment per ready
 * stream in round-robin order within both windows (§6), packed into one gathering carrier write of
 * at most {@code maxBatchBytes}; the next batch is formed only after the carrier has taken the last
 * one and reports itself writable.
 *
 * <p><b>Fairness bound.</b> A stream that becomes ready waits behind at most one fragment of every
 * other ready stream, plus the batch already handed to the carrier.
 *
 * <p><b>Buffers.</b> Control frames are encoded into {@link #control}; DATA headers (and payloads of
 * at most {@link #COPY_BELOW} bytes, cheaper to copy than to gather) go into {@link #arena}; larger
 * payloads go to the carrier as the application's buffers themselves, not copied. All of these belong
 * to the carrier until the write completes, which is why the control buffer is double-buffered and
 * only one batch is ever in flight. The arena and the control buffers are <b>direct</b>: a socket
 * carrier's gathering write copies every heap buffer of the batch into a temporary direct buffer
 * first (the JDK's {@code IOUtil.write}; Netty and Grizzly copy heap buffers too), so heap headers
 * cost an extra copy and buffer look-up per region and batch. A control buffer grows (doubling)
 * when control frames pile up while a batch is in flight; it stays direct up to
 * {@value #MAX_DIRECT_CONTROL} bytes and is a heap buffer beyond that, so that a burst (a million
 * OPENs) does not pin large amounts of direct memory for the tunnel's life. The 64 KiB arena is
 * only allocated when DATA may first be sent (after the handshake).
 *
 * <p><b>No allocation per frame.</b> Arena regions are pre-made views of the arena (one per iovec
 * slot, made on first use). The last fragment of a write is the application's buffer itself with its
 * position set to the fragment (the engine owns it until completion; {@link PendingWrite#complete}
 * puts the position back); only earlier fragments of a write larger than a frame, and a buffer that
 * is already in this batch (the same object queued twice), go out as slices.
 *
 * <p>Owned by the tunnel's executor; not thread-safe.
 */
final class BatchWriter {
    /** Payloads this small are copied next to their header: one iovec instead of two. */
    static final int COPY_BELOW = 256;
    private static final int ARENA_SIZE = 64 * 1024;
    private static final int MAX_IOV = 1024;
    private static final int CONTROL_SIZE = 4096;
    /** Largest control buffer that is allocated direct. */
    static final int MAX_DIRECT_CONTROL = 256 * 1024;

    private final TunnelImpl tunnel;
    private final Carrier carrier;
    private final int maxBatch;

    private ByteBuffer control = ByteBuffer.allocateDirect(CONTROL_SIZE);
    private ByteBuffer controlInFlight = ByteBuffer.allocateDirect(CONTROL_SIZE);
    /** Made when data may first be sent: a tunnel that fails its handshake pins no direct arena. */
    private ByteBuffer arena;
    private int arenaMark;
    private final ByteBuffer[] iov = new ByteBuffer[MAX_IOV];
    /** Reusable views of {@link #arena}, indexed by iovec slot. */
    private final ByteBuffer[] arenaViews = new ByteBuffer[MAX_IOV];
    /** Application buffers sent as themselves in the batch being formed or written. */
    private final IdentitySet ownBuffers = new IdentitySet(MAX_IOV);
    private int iovCount;
    private int batchBytes;
    private final ArrayList<PendingWrite> completing = new ArrayList<>();
    private final ArrayDeque<StreamImpl> ready = new ArrayDeque<>();
    private final Carrier.WriteCompletion completion = this::onWritten;

    private boolean writeInFlight;
    private boolean inFlush;
    private boolean tunnelStalled;

    long tunnelSendWindow;
    int peerMaxFrame = FrameType.MAX_LENGTH;
    boolean dataAllowed;

    long framesSent;
    long bytesSent;
    long payloadBytesSent;
    long batchesWritten;
    long windowStalls;

    BatchWriter(TunnelImpl tunnel, Carrier carrier, int maxBatch) {
        this.tunnel = tunnel;
        this.carrier = carrier;
        this.maxBatch = maxBatch;
    }

    /** The control buffer with room for {@code bytes} more; encode one frame into it. */
    ByteBuffer control(int bytes) {
        if (control.remaining() < bytes) {
            int cap = Math.max(control.capacity() * 2, control.position() + bytes);
            ByteBuffer bigger = cap <= MAX_DIRECT_CONTROL ? ByteBuffer.allocateDirect(cap) : ByteBuffer.allocate(cap);
            control.flip();
            bigger.put(control);
            control = bigger;
        }
        framesSent++;
        return control;
    }

    /** Control bytes waiting for the next batch. */
    int controlPending() {
        return control.position();
    }

    /** Whether a batch is being formed or written right now (callers must not close the carrier). */
    boolean building() {
        return inFlush;
    }

    /** Whether everything queued has been handed to the carrier and acknowledged. */
    boolean drained() {
        return !writeInFlight && !inFlush && control.position() == 0;
    }

    /** Puts a stream that can send into the round-robin queue (at the tail). */
    void streamReady(StreamImpl s) {
        if (!s.inReadyQueue && s.hasSendable()) {
            s.stalled = false;
            s.inReadyQueue = true;
            ready.add(s);
        }
    }

    void addTunnelCredit(long increment) {
        tunnelSendWindow += increment;
        tunnelStalled = false;
    }

    /** Writes batches while the carrier takes them. */
    void flush() {
        if (inFlush) {
            return;
        }
        inFlush = true;
        try {
            while (!writeInFlight && carrier.isWritable()) {
                int n = build();
                if (n == 0) {
                    break;
                }
                writeInFlight = true;
                batchesWritten++;
                bytesSent += batchBytes;
                carrier.write(iov, n, completion);
            }
        } finally {
            inFlush = false;
        }
    }

    private void onWritten(Throwable failure) {
        writeInFlight = false;
        for (int i = 0; i < iovCount; i++) {
            iov[i] = null;
        }
        ownBuffers.clear();
        controlInFlight.clear();
        if (failure != null) {
            // close first, so the writes that were in the batch fail with the tunnel's reason (which
            // names the carrier's error), as every other pending operation does
            PendingWrite[] lost = completing.toArray(new PendingWrite[0]);
            completing.clear();
            tunnel.carrierWriteFailed(failure);
            Throwable cause = tunnel.closeException();
            for (PendingWrite w : lost) {
                w.complete(cause != null ? cause : failure);
            }
            return;
        }
        for (int i = 0; i < completing.size(); i++) {
            completing.get(i).complete(null);
        }
        completing.clear();
        if (!inFlush) {
            flush();
        }
        tunnel.batchWritten();
    }

    /** Forms the next batch into {@link #iov}; returns the number of buffers (0: nothing to send). */
    private int build() {
        iovCount = 0;
        batchBytes = 0;
        if (control.position() > 0) {
            ByteBuffer c = control;
            control = controlInFlight;
            control.clear();
            controlInFlight = c;
            c.flip();
            iov[iovCount++] = c;
            batchBytes += c.remaining();
        }
        if (dataAllowed) {
            if (arena == null) {
                arena = ByteBuffer.allocateDirect(ARENA_SIZE);
            }
            arena.clear();
            arenaMark = 0;
            buildData();
            closeArenaRegion();
        }
        return iovCount;
    }

    private void buildData() {
        StreamImpl s;
        // room for a header and at least one payload byte, or the batch would outgrow maxBatch (§7)
        while (batchBytes + FrameType.HEADER_LENGTH < maxBatch && iovCount < MAX_IOV - 3
                && arena.remaining() >= FrameType.HEADER_LENGTH + COPY_BELOW && (s = ready.poll()) != null) {
            s.inReadyQueue = false;
            if (!s.hasSendable()) {
                if (s.failure == null && !s.writes.isEmpty() && s.sendWindow <= 0 && !s.stalled) {
                    s.stalled = true;
                    windowStalls++;
                }
                continue;
            }
            PendingWrite w = s.writes.peek();
            if (w == null) {
                // nothing queued but FIN: an empty DATA with FIN always fits the windows (§6)
                FrameWriter.dataHeader(arena, s.id, 0, true);
                countFrame(0);
                s.finWritten();
                continue;
            }
            int room = maxBatch - batchBytes - FrameType.HEADER_LENGTH;
            long n = Math.min(Math.min(w.remaining(), peerMaxFrame), Math.min(s.sendWindow, tunnelSendWindow));
            n = Math.min(n, Math.max(room, 1));
            if (n <= 0) {
                // the tunnel window is empty: every stream waits, this one keeps its turn
                s.inReadyQueue = true;
                ready.addFirst(s);
                if (!tunnelStalled) {
                    tunnelStalled = true;
                    windowStalls++;
                }
                return;
            }
            int len = (int) n;
            boolean lastOfWrite = len == w.remaining();
            boolean fin = lastOfWrite && s.finQueued && s.writes.size() == 1;
            FrameWriter.dataHeader(arena, s.id, len, fin);
            if (len < COPY_BELOW) {
                arena.put(arena.position(), w.buffer, w.next, len);
                arena.position(arena.position() + len);
            } else {
                closeArenaRegion();
                if (lastOfWrite && ownBuffers.add(w.buffer)) {
                    // limit is already the write's end; PendingWrite.complete restores the position
                    iov[iovCount++] = w.buffer.position(w.next);
                } else {
                    iov[iovCount++] = w.buffer.slice(w.next, len);
                }
            }
            w.next += len;
            tunnelSendWindow -= len;
            payloadBytesSent += len;
            countFrame(len);
            if (lastOfWrite) {
                s.writes.poll();
                completing.add(w);
            }
            s.tookBytes(len);
            if (fin) {
                s.finWritten();
            } else {
                streamReady(s);
                if (!s.inReadyQueue && s.failure == null && !s.writes.isEmpty() && s.sendWindow <= 0) {
                    s.stalled = true;
                    windowStalls++;
                }
            }
        }
    }

    private void countFrame(int payload) {
        framesSent++;
        batchBytes += FrameType.HEADER_LENGTH + payload;
    }

    /** Adds the arena bytes written since the last mark as one buffer of the batch. */
    private void closeArenaRegion() {
        int end = arena.position();
        if (end > arenaMark) {
            ByteBuffer v = arenaViews[iovCount];
            if (v == null) {
                v = arena.duplicate();
                arenaViews[iovCount] = v;
            }
            v.limit(end).position(arenaMark);
            iov[iovCount++] = v;
            arenaMark = end;
        }
    }
}
