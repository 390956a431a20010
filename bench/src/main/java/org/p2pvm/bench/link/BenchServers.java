package org.p2pvm.bench.link;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.p2pvm.Tunnel;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/**
 * The virtual servers every scenario talks to, installed on the accepting end of a {@link TunnelLink}:
 * <ul>
 *   <li>{@link #SINK}: swallows bytes; at the client's FIN answers one byte and FIN (end-to-end
 *       completion of a bulk transfer);
 *   <li>{@link #ECHO}: echoes every byte (a copy: inbound buffers are only valid during the call),
 *       FIN after the client's FIN — request/response, pings, open+first byte+close;
 *   <li>{@link #HOLD}: manual-consume reader that consumes nothing until {@link #release()}, for the
 *       memory-held scenario;
 *   <li>{@link #IDLE}: accepts and does nothing (idle streams).
 * </ul>
 * Handlers run on the tunnel's executor; the counters are read from the scenario thread.
 */
public final class BenchServers {
    /** Bulk sink. */
    public static final VmAddress SINK = VmAddress.of("::1", 1001);
    /** Echo. */
    public static final VmAddress ECHO = VmAddress.of("::1", 1002);
    /** Reader that holds bytes until released. */
    public static final VmAddress HOLD = VmAddress.of("::1", 1003);
    /** Accept and ignore. */
    public static final VmAddress IDLE = VmAddress.of("::1", 1004);
    static final List<VmAddress> ADDRESSES = List.of(SINK, ECHO, HOLD, IDLE);
    private static final ByteBuffer ONE = ByteBuffer.allocateDirect(1);

    private final AtomicLong sunk = new AtomicLong();
    private final AtomicLong held = new AtomicLong();
    private final java.util.Queue<Hold> holders = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean holding = true;
    private volatile boolean releasing;

    void installOn(Tunnel t) throws Exception {
        t.install(VmServer.listen(SINK, c -> c.setHandler(new Sink()))).get(10, TimeUnit.SECONDS);
        t.install(VmServer.listen(ECHO, c -> c.setHandler(new Echo()))).get(10, TimeUnit.SECONDS);
        t.install(VmServer.listen(HOLD, c -> {
            Hold h = new Hold(c);
            holders.add(h);
            c.setHandler(h, false);
        })).get(10, TimeUnit.SECONDS);
        t.install(VmServer.listen(IDLE, c -> { })).get(10, TimeUnit.SECONDS);
    }

    /** Payload bytes the sink has swallowed so far (all streams). */
    public long sunkBytes() {
        return sunk.get();
    }

    /** Bytes delivered to {@link #HOLD} readers and not yet consumed. */
    public long heldBytes() {
        return held.get();
    }

    /**
     * Makes {@link #HOLD} readers consume what arrives until {@link #startHolding()}, so their windows
     * can grow first; call before the streams open.
     */
    public void consumeUntilHolding() {
        holding = false;
    }

    /** From now on {@link #HOLD} readers keep what arrives unconsumed (until {@link #release()}). */
    public void startHolding() {
        holding = true;
    }

    /** Lets the {@link #HOLD} readers consume everything, now and from now on. */
    public void release() {
        releasing = true;
        for (Hold h : holders) {
            h.connection.tunnel().executor().execute(h::consumeAll);
        }
    }

    /** {@code ONE} as a fresh view: the engine owns the buffer's position until written. */
    static ByteBuffer oneByte() {
        return ONE.duplicate().clear();
    }

    private final class Sink implements VmConnection.Handler {
        @Override
        public void onData(VmConnection c, ByteBuffer data) {
            sunk.addAndGet(data.remaining());
        }

        @Override
        public void onInputShutdown(VmConnection c) {
            c.write(oneByte(), null);
            c.shutdownOutput();
        }
    }

    private static final class Echo implements VmConnection.Handler {
        @Override
        public void onData(VmConnection c, ByteBuffer data) {
            ByteBuffer copy = ByteBuffer.allocate(data.remaining());
            copy.put(data).flip();
            c.write(copy, null);
        }

        @Override
        public void onInputShutdown(VmConnection c) {
            c.shutdownOutput();
        }
    }

    private final class Hold implements VmConnection.Handler {
        final VmConnection connection;
        private int mine; // executor-confined: delivered, not consumed

        Hold(VmConnection connection) {
            this.connection = connection;
        }

        void consumeAll() {
            if (mine > 0) {
                held.addAndGet(-mine);
                connection.consume(mine);
                mine = 0;
            }
        }

        @Override
        public void onData(VmConnection c, ByteBuffer data) {
            int n = data.remaining();
            data.position(data.limit());
            if (releasing || !holding) {
                c.consume(n);
            } else {
                mine += n;
                held.addAndGet(n);
            }
        }

        @Override
        public void onInputShutdown(VmConnection c) {
            c.shutdownOutput();
        }
    }
}
