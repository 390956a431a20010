package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.TunnelStats;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;

/**
 * PROTOCOL.md §7 sending behaviour seen from a scripted peer: control frames overtake queued DATA,
 * batches are at most {@code maxBatchBytes} and the next one waits for the carrier, and the tunnel's
 * counters (frames, bytes, batches, errors by code) match what crossed the carrier.
 */
class Section7SendingTest {
    /** The engine's server address; it auto-consumes what arrives. */
    static final VmAddress SERVED = VmAddress.parse("[::1]:80");
    /** An address the scripted peer listens on (pushed by LISTEN), so the engine may open to it. */
    static final VmAddress AT_PEER = VmAddress.parse("[::2]:90");
    static final VmAddress NOWHERE = VmAddress.parse("[::3]:1");

    /** An acceptor engine with a server on {@link #SERVED}, after the handshake and the peer's LISTEN. */
    private static RawPeer peer(TunnelOptions o) {
        RawPeer p = new RawPeer(false, o,
                t -> t.install(VmServer.listen(SERVED, c -> c.setHandler((conn, data) -> { })))).handshake();
        p.send(b -> FrameWriter.listen(b, AT_PEER, true));
        p.frames(); // the engine's handshake and LISTEN
        return p;
    }

    private static int firstIndex(List<RawPeer.Frame> frames, int type) {
        for (int i = 0; i < frames.size(); i++) {
            if (frames.get(i).type() == type) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void s7_controlFramesFirst_pingAckResetAcceptAndWindowOvertakeQueuedData() {
        // a 1 KiB stream window: 600 consumed bytes (over half of it) return credit with a WINDOW
        TunnelOptions o = TunnelOptions.builder().maxBatchBytes(32 * 1024).initialStreamWindow(1024).build();
        RawPeer p = peer(o);
        p.carrier.holdWrites = true;
        VmConnection c = p.engine.open(AT_PEER, null);
        c.write(ByteBuffer.allocate(200 * 1024)); // within the peer's default 256 KiB window
        List<RawPeer.Frame> firstBatch = p.frames();
        assertEquals(1, p.carrier.heldWrites(), "one batch in flight");
        assertEquals(FrameType.OPEN, firstBatch.get(0).type());
        long queued = ((StreamImpl) c).queuedBytes;
        assertTrue(queued > 100 * 1024, "DATA is queued behind the batch in flight: " + queued);

        // while that batch is in flight the peer asks for four control frames
        p.send(b -> FrameWriter.ping(b, false, 42));
        p.sendFrame(36, FrameType.OPEN, 0, 1, RawPeer.open(NOWHERE, AT_PEER)); // no listener: RESET REFUSED
        p.sendFrame(36, FrameType.OPEN, 0, 3, RawPeer.open(SERVED, AT_PEER)); // ACCEPT
        p.sendFrame(600, FrameType.DATA, 0, 3, new byte[600]); // consumed at once: WINDOW on stream 3
        assertTrue(p.frames().isEmpty(), "nothing is written while a batch is in flight");

        p.carrier.completeHeldWrites();
        List<RawPeer.Frame> next = p.frames();
        int firstData = firstIndex(next, FrameType.DATA);
        assertTrue(firstData > 0, "the next batch carries DATA too: " + next);
        List<RawPeer.Frame> before = next.subList(0, firstData);
        assertTrue(before.stream().anyMatch(f -> f.type() == FrameType.PING && f.flags() == FrameType.FLAG_ACK
                && ByteBuffer.wrap(f.payload()).getLong() == 42), "PING ACK before the queued DATA: " + next);
        assertTrue(before.stream().anyMatch(f -> f.type() == FrameType.RESET && f.streamId() == 1
                && f.code() == ErrorCode.REFUSED), "RESET before the queued DATA: " + next);
        assertTrue(before.stream().anyMatch(f -> f.type() == FrameType.ACCEPT && f.streamId() == 3),
                "ACCEPT before the queued DATA: " + next);
        assertTrue(before.stream().anyMatch(f -> f.type() == FrameType.WINDOW && f.streamId() == 3),
                "WINDOW before the queued DATA: " + next);
    }

    @Test
    void s7_batching_writesAtMostMaxBatchBytes_andTheNextBatchWaitsForTheCarrier() {
        int maxBatch = 20_000; // not a multiple of a DATA frame: the last frame of a batch is cut to fit
        TunnelOptions o = TunnelOptions.builder().maxBatchBytes(maxBatch).build();
        RawPeer p = peer(o);
        long writesBefore = p.carrier.writes;
        long batchesBefore = p.engine.stats().batchesWritten();
        assertEquals(writesBefore, batchesBefore, "every carrier write so far was one batch");
        p.carrier.holdWrites = true;
        int total = 200 * 1024;
        for (int i = 0; i < 4; i++) { // four streams, so the batches mix fragments of several
            p.engine.open(AT_PEER, null).write(ByteBuffer.allocate(total / 4));
        }
        p.frames();
        int written = 1;
        assertEquals(writesBefore + written, p.carrier.writes, "one batch at a time");
        while (p.carrier.heldWrites() > 0) {
            // the carrier's buffer is full: completing the write must not bring the next batch yet
            p.carrier.setWritable(false);
            p.carrier.completeHeldWrites();
            p.frames();
            assertEquals(writesBefore + written, p.carrier.writes, "no batch while the carrier is not writable");
            p.carrier.setWritable(true);
            p.frames();
            if (p.carrier.heldWrites() > 0) {
                written++;
                assertEquals(writesBefore + written, p.carrier.writes, "the next batch once writable, and only one");
            }
        }
        List<Integer> sizes = p.carrier.writeSizes.subList((int) writesBefore, p.carrier.writeSizes.size());
        for (int size : sizes) {
            assertTrue(size <= maxBatch, "a carrier write of " + size + " bytes; maxBatchBytes is " + maxBatch);
        }
        long bytes = sizes.stream().mapToLong(Integer::longValue).sum();
        assertTrue(bytes > total, "all the payload went out: " + bytes);
        assertTrue(sizes.size() >= bytes / maxBatch, "batches are full: " + sizes);
        TunnelStats s = p.engine.stats();
        assertEquals(p.carrier.writes, s.batchesWritten(), "TunnelStats.batchesWritten counts carrier writes");
        assertEquals(total, s.payloadBytesSent());
        assertEquals(p.carrier.bytesWritten, s.bytesSent());
    }

    @Test
    void s7_batching_aBatchWithLessRoomThanAHeaderLeft_takesNoFurtherFrame() {
        int maxBatch = 10_000;
        RawPeer p = peer(TunnelOptions.builder().maxBatchBytes(maxBatch).build());
        VmConnection a = p.engine.open(AT_PEER, null);
        VmConnection b = p.engine.open(AT_PEER, null);
        p.frames();
        p.carrier.holdWrites = true;
        a.write(ByteBuffer.allocate(1));
        p.frames();
        assertEquals(1, p.carrier.heldWrites(), "a batch in flight, so the next two writes meet in one batch");
        int before = p.carrier.writeSizes.size();
        // a's DATA (9 + 9,986 bytes) leaves 5 bytes of the batch: too few for b's frame header
        a.write(ByteBuffer.allocate(maxBatch - 9 - 5));
        b.write(ByteBuffer.allocate(1000));
        p.frames();
        while (p.carrier.heldWrites() > 0) {
            p.carrier.completeHeldWrites();
            p.frames();
        }
        List<Integer> sizes = p.carrier.writeSizes.subList(before, p.carrier.writeSizes.size());
        assertEquals(maxBatch - 5, sizes.get(0), "a's frame alone: " + sizes);
        sizes.forEach(size -> assertTrue(size <= maxBatch, "a carrier write of " + size + " bytes: " + sizes));
        assertEquals(maxBatch - 5 + 9 + 1000, sizes.stream().mapToInt(Integer::intValue).sum(), "everything went");
    }

    @Test
    void stats_framesBytesAndErrorsByCode_matchWhatCrossedTheCarrier() {
        RawPeer p = peer(TunnelOptions.defaults());
        // inbound: HELLO, AUTH, LISTEN so far; then a PING, an OPEN refused, and a RESET of the engine's stream
        VmConnection c = p.engine.open(AT_PEER, null);
        p.send(b -> FrameWriter.ping(b, false, 7));
        p.sendFrame(36, FrameType.OPEN, 0, 1, RawPeer.open(NOWHERE, AT_PEER));
        p.send(b -> FrameWriter.reset(b, c.streamId(), ErrorCode.CANCELLED));
        List<RawPeer.Frame> out = p.frames();
        assertTrue(out.stream().anyMatch(f -> f.type() == FrameType.PING && f.flags() == FrameType.FLAG_ACK));
        TunnelStats s = p.engine.stats();
        assertEquals(6, s.framesReceived(), "HELLO, AUTH, LISTEN, PING, OPEN, RESET");
        assertEquals(p.tapFrames(), s.framesSent(), "every frame the peer decoded from the carrier");
        assertEquals(p.carrier.bytesWritten, s.bytesSent());
        assertEquals(p.bytesInjected(), s.bytesReceived());
        // REFUSED for the OPEN; CANCELLED answers the peer's RESET (§5: the engine had sent nothing terminal)
        assertEquals(Map.of(ErrorCode.REFUSED, 1L, ErrorCode.CANCELLED, 1L), s.errorsSent());
        assertTrue(out.stream().anyMatch(f -> f.type() == FrameType.RESET && f.streamId() == c.streamId()
                && f.code() == ErrorCode.CANCELLED), "the answering RESET crossed the carrier: " + out);
        assertEquals(Map.of(ErrorCode.CANCELLED, 1L), s.errorsReceived());
        assertEquals(1, s.streamsRefused());
        assertEquals(1, s.streamsOpened());
    }
}
