package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.p2pvm.ErrorCode;
import org.p2pvm.StreamResetException;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.engine.internal.frame.FrameType;

/** PROTOCOL.md §6 flow control and §7 fragmentation, batching and fairness, shown by counting. */
class Section6FlowControlTest {
    static final VmAddress SINK = VmAddress.parse("[::5]:9");

    /** Counts bytes per stream on the server side; one chosen port never reads. */
    static final class Sink {
        final Map<Integer, Long> received = new HashMap<>();
        final Map<Integer, Boolean> finished = new HashMap<>();
        final List<StreamImpl> accepted = new ArrayList<>();

        VmServer server(int stuckPort) {
            return VmServer.builder().listen(VmAddress.any(9)).listen(VmAddress.any(stuckPort)).acceptor(c -> {
                accepted.add((StreamImpl) c);
                if (c.localAddress().port() == stuckPort) {
                    c.pauseReading(); // a reader that never reads
                }
                c.setHandler(new VmConnection.Handler() {
                    @Override
                    public void onData(VmConnection conn, ByteBuffer data) {
                        received.merge(conn.streamId(), (long) data.remaining(), Long::sum);
                    }

                    @Override
                    public void onInputShutdown(VmConnection conn) {
                        finished.put(conn.streamId(), true);
                        conn.shutdownOutput();
                    }
                });
            }).build();
        }
    }

    @Test
    void s6_boundedMemory_stuckReaderHoldsOneWindow_while100StreamsComplete() {
        int window = 64 * 1024;
        TunnelOptions o = TunnelOptions.builder().initialStreamWindow(window).initialTunnelWindow(1 << 20).build();
        Sink sink = new Sink();
        EnginePair p = new EnginePair(o, o, null, t -> t.install(sink.server(10)), 1500);
        p.await(p.dialer.session().handshake());
        int perStream = 512 * 1024;
        VmConnection stuck = p.dialer.open(VmAddress.any(10), null);
        CompletableFuture<Void> stuckWrite = stuck.write(ByteBuffer.allocate(perStream));
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            VmConnection c = p.dialer.open(SINK, null);
            writes.add(c.write(ByteBuffer.allocate(perStream)));
            c.shutdownOutput();
        }
        p.pump();
        for (CompletableFuture<Void> w : writes) {
            assertTrue(w.isDone() && !w.isCompletedExceptionally(), "every other stream completes");
        }
        assertEquals(100, sink.finished.size());
        sink.received.values().forEach(n -> assertEquals(perStream, n));
        StreamImpl stuckServerSide = sink.accepted.stream().filter(s -> s.local.port() == 10).findFirst().orElseThrow();
        assertEquals(window, stuckServerSide.inboundBytes, "the stuck stream holds exactly its window, no more (§6)");
        assertFalse(stuckWrite.isDone(), "its sender is stalled by the window");
        assertEquals(perStream - window, ((StreamImpl) stuck).queuedBytes);
        assertTrue(p.dialer.stats().windowStalls() > 0);
        // resuming releases credit and the rest flows
        stuckServerSide.resumeReading();
        p.pump();
        assertTrue(stuckWrite.isDone());
    }

    /**
     * §7 fairness by counting. While one stream pushes 100 MiB, a 64-byte message written on another
     * stream (when the receiver has seen the bulk stream's 1000th fragment) arrives after at most
     * {@code ceil(maxBatchBytes / maxFragmentSize) + 1} further bulk fragments: 129 with the defaults
     * (2 MiB batches of 16 KiB fragments). Why: one batch is in flight at a time, so the message waits
     * for the rest of the batch being delivered (at most 128 fragments) and, round robin, for at most
     * one bulk fragment ahead of it in the next batch.
     *
     * <p>The windows are raised above the bulk size (and no window stall is allowed), so flow control
     * never pauses the bulk stream: only the writer's fairness bounds the wait. With the default 256 KiB
     * stream window the bulk stream would stall every 16 fragments and let the message through even
     * with a writer that serves bulk first; with these windows such a writer would send all 6,400 bulk
     * fragments first, and the message would wait 5,400 fragments.
     */
    @Test
    void s7_fairness_smallMessageOvertakesBulkAfterBoundedFragments() {
        int bulkBytes = 100 * 1024 * 1024;
        int window = 128 * 1024 * 1024;
        TunnelOptions o = TunnelOptions.builder().initialStreamWindow(window).initialTunnelWindow(window).build();
        int bound = (o.maxBatchBytes() + o.maxFragmentSize() - 1) / o.maxFragmentSize() + 1;
        assertEquals(129, bound, "the bound stated in PROTOCOL.md §7 for the defaults");
        VmAddress bulkAddr = VmAddress.parse("[::1]:1");
        VmAddress smallAddr = VmAddress.parse("[::1]:2");
        long[] bulkFragments = {0};
        long[] fragmentsWhenSmallWritten = {-1};
        long[] fragmentsWhenSmallArrived = {-1};
        VmConnection[] small = new VmConnection[1];
        EnginePair p = new EnginePair(o, o, null, t -> {
            t.install(VmServer.listen(bulkAddr, c -> c.setHandler((conn, data) -> {
                bulkFragments[0]++;
                if (bulkFragments[0] == 1000) {
                    fragmentsWhenSmallWritten[0] = bulkFragments[0];
                    small[0].write(ByteBuffer.allocate(64));
                }
            })));
            t.install(VmServer.listen(smallAddr, c -> c.setHandler((conn, data) -> {
                fragmentsWhenSmallArrived[0] = bulkFragments[0];
            })));
        }, Integer.MAX_VALUE);
        p.await(p.dialer.session().handshake());
        small[0] = p.await(p.dialer.connect(smallAddr));
        VmConnection bulk = p.await(p.dialer.connect(bulkAddr));
        CompletableFuture<Void> done = bulk.write(ByteBuffer.allocate(bulkBytes));
        p.pump();
        assertTrue(done.isDone());
        // a DATA frame that ends a full batch is cut short, so there are a few more than 6,400
        assertTrue(bulkFragments[0] >= bulkBytes / o.maxFragmentSize(), "the bulk stream's DATA frames");
        assertEquals(0, p.dialer.stats().windowStalls(), "no window paused the bulk stream: only the writer decides");
        long waited = fragmentsWhenSmallArrived[0] - fragmentsWhenSmallWritten[0];
        assertTrue(fragmentsWhenSmallArrived[0] > 0, "small message arrived");
        assertTrue(waited <= bound, "the 64-byte message waited behind " + waited
                + " bulk fragments; bound is maxBatchBytes/maxFragmentSize + 1 = " + bound);
    }

    @Test
    void s7_fragmentation_respectsPeersMaxFramePayload() {
        RawPeer p = new RawPeer(true, TunnelOptions.defaults(), null);
        p.expect(FrameType.HELLO);
        ByteBuffer hello = ByteBuffer.allocate(FrameType.HELLO_FIXED + 6);
        hello.put(FrameType.MAGIC).put((byte) 1).put(new byte[16]).putShort((short) 1).putInt(200); // the seed's 200 B
        p.sendFrame(hello.capacity(), FrameType.HELLO, 0, 0, hello.array());
        byte[] engineNonce = new byte[16];
        // finish the handshake: the engine's AUTH is checked by the engine against our nonce
        RawPeer.Frame authFromEngine = p.expect(FrameType.AUTH);
        assertNotNull(authFromEngine);
        p.frames();
        // the engine's nonce is in its HELLO, which expect() consumed; read it from the tap again
        byte[] tap = p.tap.toByteArray();
        System.arraycopy(tap, 9 + 6, engineNonce, 0, 16);
        byte[] mac = p.mac(new byte[16], engineNonce);
        p.sendFrame(32, FrameType.AUTH, 0, 0, mac);
        assertTrue(p.engine.isOpen());
        VmConnection c = p.engine.open(SINK, null);
        c.write(ByteBuffer.allocate(1000));
        List<RawPeer.Frame> data = p.frames().stream().filter(f -> f.type() == FrameType.DATA).toList();
        assertEquals(5, data.size(), "1000 bytes in fragments of at most 200 (§7)");
        data.forEach(f -> assertEquals(200, f.payload().length));
    }

    @Test
    void s6_streamWindowExceeded_resetsOnlyThatStream() {
        VmAddress a = VmAddress.parse("[::1]:80");
        List<VmConnection> accepted = new ArrayList<>();
        RawPeer p = new RawPeer(false, TunnelOptions.builder().initialStreamWindow(100).build(),
                t -> t.install(VmServer.listen(a, c -> {
                    accepted.add(c);
                    c.pauseReading();
                }))).handshake();
        p.sendFrame(36, FrameType.OPEN, 0, 1, RawPeer.open(a, a));
        p.sendFrame(101, FrameType.DATA, 0, 1, new byte[101]);
        RawPeer.Frame reset = p.expect(FrameType.RESET);
        assertEquals(ErrorCode.FLOW_CONTROL_ERROR, reset.code());
        assertEquals(1, reset.streamId());
        assertTrue(p.engine.isOpen(), "a stream-level error leaves the tunnel up (§9)");
        StreamResetException e = assertInstanceOf(StreamResetException.class,
                assertThrows(CompletionException.class, () -> accepted.get(0).closeFuture().join()).getCause());
        assertEquals(ErrorCode.FLOW_CONTROL_ERROR, e.errorCode());
    }

    @Test
    void s6_dataForUnknownStream_returnsTunnelCredit() {
        RawPeer p = new RawPeer(false, TunnelOptions.builder().initialTunnelWindow(1000).build(), null).handshake();
        for (int i = 0; i < 10; i++) {
            p.sendFrame(500, FrameType.DATA, 0, 99, new byte[500]);
        }
        assertTrue(p.engine.isOpen(), "ignored DATA returned its credit, so 5000 bytes fit a 1000-byte window");
        assertTrue(p.frames().stream().anyMatch(f -> f.type() == FrameType.WINDOW && f.streamId() == 0));
    }

    @Test
    void s6_creditReturnedOnlyAsApplicationConsumes_manualMode() {
        VmAddress a = VmAddress.parse("[::1]:80");
        List<VmConnection> accepted = new ArrayList<>();
        RawPeer p = new RawPeer(false, TunnelOptions.builder().initialStreamWindow(1000).build(),
                t -> t.install(VmServer.listen(a, c -> {
                    accepted.add(c);
                    c.setHandler((conn, data) -> { }, false);
                }))).handshake();
        p.sendFrame(36, FrameType.OPEN, 0, 1, RawPeer.open(a, a));
        p.sendFrame(1000, FrameType.DATA, 0, 1, new byte[1000]);
        assertTrue(p.frames().stream().noneMatch(f -> f.type() == FrameType.WINDOW && f.streamId() == 1),
                "nothing consumed, no credit");
        accepted.get(0).consume(600);
        RawPeer.Frame w = p.frames().stream().filter(f -> f.type() == FrameType.WINDOW && f.streamId() == 1)
                .findFirst().orElseThrow();
        assertEquals(600, w.u32(0));
    }

    @Test
    void s3_maxStreams_refusesBeyondWithLimitExceeded() {
        VmAddress a = VmAddress.parse("[::1]:80");
        RawPeer p = new RawPeer(false, TunnelOptions.builder().maxStreams(2).build(),
                t -> t.install(VmServer.listen(a, c -> { }))).handshake();
        p.sendFrame(36, FrameType.OPEN, 0, 1, RawPeer.open(a, a));
        p.sendFrame(36, FrameType.OPEN, 0, 3, RawPeer.open(a, a));
        p.sendFrame(36, FrameType.OPEN, 0, 5, RawPeer.open(a, a));
        List<RawPeer.Frame> out = p.frames();
        assertEquals(2, out.stream().filter(f -> f.type() == FrameType.ACCEPT).count());
        RawPeer.Frame reset = out.stream().filter(f -> f.type() == FrameType.RESET).findFirst().orElseThrow();
        assertEquals(5, reset.streamId());
        assertEquals(ErrorCode.LIMIT_EXCEEDED, reset.code());
        assertTrue(p.engine.isOpen());
    }

    @Test
    void s5_handlerThrows_resetsWithInternalError() {
        VmAddress a = VmAddress.parse("[::1]:80");
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(),
                t -> t.install(VmServer.listen(a, c -> c.setHandler((conn, data) -> {
                    throw new IllegalStateException("boom");
                })))).handshake();
        p.sendFrame(36, FrameType.OPEN, 0, 1, RawPeer.open(a, a));
        p.sendFrame(3, FrameType.DATA, 0, 1, new byte[3]);
        assertEquals(ErrorCode.INTERNAL_ERROR, p.expect(FrameType.RESET).code());
    }

    @Test
    void s5_acceptorThrows_refuses() {
        VmAddress a = VmAddress.parse("[::1]:80");
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(),
                t -> t.install(VmServer.listen(a, c -> {
                    throw new Exception("not today");
                }))).handshake();
        p.sendFrame(36, FrameType.OPEN, 0, 1, RawPeer.open(a, a));
        RawPeer.Frame reset = p.expect(FrameType.RESET);
        assertEquals(ErrorCode.REFUSED, reset.code());
    }
}
