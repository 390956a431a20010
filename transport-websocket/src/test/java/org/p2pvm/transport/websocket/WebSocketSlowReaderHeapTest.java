package org.p2pvm.transport.websocket;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.TunnelStats;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.TransportServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 6's "a slow WebSocket reader does not grow the sender's heap beyond the windows", measured
 * as used heap of the whole JVM (both ends live here), not with the carriers' own counters: so
 * whatever the JDK WebSocket client, Undertow/XNIO or the engine buffer is counted too.
 *
 * <p>Many streams each write far more than their window while the receiving application never
 * consumes (manual consume, {@code consume} never called). Once the senders have stalled, the
 * heap may have grown by the receive windows the receiver granted, plus one carrier batch in
 * flight, plus a fixed slack, and not by anything proportional to what the senders tried to write.
 * The written buffers are {@code duplicate()}s of one shared read-only buffer, so queueing them
 * costs the test nothing; only a copy somewhere in the stack would show.
 */
@Timeout(60)
class WebSocketSlowReaderHeapTest {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketSlowReaderHeapTest.class);
    private static final int STREAMS = 50;
    private static final int PER_STREAM = 8 * 1024 * 1024;
    /** Room for what no window accounts for: read buffers, frame headers, stream state, GC noise. */
    private static final long SLACK = 32L * 1024 * 1024;

    private final TunnelOptions options = TunnelOptions.builder().authToken("heap").build();

    @Test
    void clientSendersToASlowServerReaderKeepHeapWithinTheWindows() throws Exception {
        run(true, false);
    }

    @Test
    void serverSendersToASlowClientReaderKeepHeapWithinTheWindows() throws Exception {
        run(false, false);
    }

    /** The receiver also pauses reading, so the engine itself holds every granted byte. */
    @Test
    void clientSendersToAPausedServerReaderKeepHeapWithinTheWindows() throws Exception {
        run(true, true);
    }

    @Test
    void serverSendersToAPausedClientReaderKeepHeapWithinTheWindows() throws Exception {
        run(false, true);
    }

    /**
     * @param clientSends whether the dialling end writes (else the accepting end)
     * @param paused whether the receiver also pauses reading: data then waits inside the engine
     *     instead of being handed to (and dropped by) the handler
     */
    private void run(boolean clientSends, boolean paused) throws Exception {
        // the one buffer every write is a view of: allocated before the baseline
        ByteBuffer shared = ByteBuffer.allocate(PER_STREAM).asReadOnlyBuffer();
        LinkedBlockingQueue<VmConnection> accepted = new LinkedBlockingQueue<>();
        VmServer server = VmServer.listen(Echo.ADDRESS, conn -> {
            if (!clientSends) {
                accepted.add(conn);
            }
            conn.setHandler(clientSends ? neverConsumes() : ignoresInput(), !clientSends);
            if (clientSends && paused) {
                conn.pauseReading();
            }
        });
        CompletableFuture<Tunnel> serverTunnel = new CompletableFuture<>();
        try (WebSocketTransport serverTransport = new WebSocketTransport(TransportConfig.builder().ioThreads(1).build());
                WebSocketTransport clientTransport = new WebSocketTransport(
                        TransportConfig.builder().ioThreads(1).build())) {
            TransportServer endpoint = serverTransport.bind(URI.create("ws://127.0.0.1:0/p2pvm"), options, t -> {
                t.install(server);
                serverTunnel.complete(t);
            }).get(30, SECONDS);
            Tunnel client = clientTransport.connect(endpoint.uri(), options).get(30, SECONDS);
            client.awaitRemoteListen(Echo.ADDRESS).get(30, SECONDS);
            List<VmConnection> senders = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                VmConnection c = client.connect(Echo.ADDRESS).get(30, SECONDS);
                if (clientSends) {
                    c.setHandler(ignoresInput());
                    senders.add(c);
                } else {
                    c.setHandler(neverConsumes(), false);
                    if (paused) {
                        c.pauseReading();
                    }
                }
            }
            if (!clientSends) {
                for (int i = 0; i < STREAMS; i++) {
                    senders.add(accepted.poll(30, SECONDS));
                }
            }
            Tunnel sending = clientSends ? client : serverTunnel.get(30, SECONDS);
            Tunnel receiving = clientSends ? serverTunnel.get(30, SECONDS) : client;
            // a round trip each way so both carriers have sent and read before the baseline
            client.ping().get(30, SECONDS);
            receiving.ping().get(30, SECONDS);

            long baseline = usedHeapAfterGc();
            long directBaseline = directBytes();
            AtomicInteger completedWrites = new AtomicInteger();
            AtomicLong failedWrites = new AtomicLong();
            for (VmConnection c : senders) {
                c.write(shared.duplicate(), failure -> {
                    if (failure == null) {
                        completedWrites.incrementAndGet();
                    } else {
                        failedWrites.incrementAndGet();
                    }
                });
            }
            TunnelStats stalled = awaitStall(sending, receiving, senders);
            long used = usedHeapAfterGc();
            long growth = used - baseline;
            long directGrowth = directBytes() - directBaseline;

            long attempted = (long) STREAMS * PER_STREAM;
            long granted = Math.min((long) STREAMS * receiving.options().initialStreamWindow(),
                    receiving.options().initialTunnelWindow());
            long inFlight = sending.options().maxBatchBytes(); // AbstractWsCarrier: one batch in flight
            long bound = granted + inFlight + SLACK;
            long pending = senders.stream().mapToLong(VmConnection::pendingWriteBytes).sum();
            LOG.info("{} senders, {} reader: attempted {} B, sent {} B (granted {} B), pending {} B, windowStalls {}; "
                    + "heap baseline {} B, after stall {} B, growth {} B (bound {} B); direct growth {} B",
                    clientSends ? "client" : "server",
                    paused ? "paused" : "non-consuming", attempted, stalled.payloadBytesSent(), granted, pending,
                    stalled.windowStalls(), baseline, used, growth, bound, directGrowth);

            // the senders really tried to write it all, and flow control (not the test) held it back
            assertEquals(0, completedWrites.get(), "a write completed although the reader consumed nothing");
            assertEquals(0, failedWrites.get());
            assertTrue(stalled.payloadBytesSent() <= granted,
                    "sent " + stalled.payloadBytesSent() + " bytes, more than the " + granted + " granted");
            assertTrue(pending >= attempted - granted - inFlight,
                    "only " + pending + " bytes wait in the senders' queues");
            // the claim: heap grew by about the windows, not by what was written
            assertTrue(bound < attempted / 4, "the test's bound must be far below what was written");
            assertTrue(growth <= bound, "heap grew by " + growth + " bytes with senders stalled behind a reader "
                    + "that consumed nothing; the windows allow " + granted + ", the carrier " + inFlight
                    + ", slack " + SLACK + " (attempted " + attempted + ")");

            client.close(ErrorCode.CANCELLED, "test done");
            client.closeFuture().get(30, SECONDS);
        }
    }

    /**
     * Waits, by events only, until the senders can move no more: every sender unwritable, the
     * sending tunnel's payload count unchanged across two PING round trips, the receiver has every
     * byte sent, and the writer has met a window stall.
     */
    private static TunnelStats awaitStall(Tunnel sending, Tunnel receiving, List<VmConnection> senders)
            throws Exception {
        while (true) {
            TunnelStats before = sending.stats();
            sending.ping().get(30, SECONDS);
            sending.ping().get(30, SECONDS);
            TunnelStats after = sending.stats();
            boolean allBlocked = senders.stream().noneMatch(VmConnection::isWritable);
            if (allBlocked && after.windowStalls() > 0
                    && after.payloadBytesSent() == before.payloadBytesSent()
                    && receiving.stats().payloadBytesReceived() == after.payloadBytesSent()) {
                return after;
            }
        }
    }

    /** Manual consume, and never {@link VmConnection#consume}: no credit ever returns to the sender. */
    private static VmConnection.Handler neverConsumes() {
        return (c, data) -> data.position(data.limit());
    }

    private static VmConnection.Handler ignoresInput() {
        return (c, data) -> data.position(data.limit());
    }

    /** Used heap after full collections; the least of three readings, so garbage made between them does not count. */
    private static long usedHeapAfterGc() {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Bytes in direct buffers (the NIO socket's temporary copies of heap buffers live here). */
    private static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }
}
