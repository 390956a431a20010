package org.p2pvm.transport.websocket.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.websockets.core.WebSockets;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.VmException;
import org.p2pvm.transport.websocket.P2pvmWebSocketHandler;
import org.p2pvm.transport.websocket.WebSocketCloseCodes;

/**
 * The two carriers at byte level over real loopback WebSockets, with a fake engine
 * ({@link RecordingListener}, {@link BatchWriter}): stream integrity, backpressure both ways,
 * message rules and close codes. The server carrier is {@link FrameCodecCarrier};
 * {@link UndertowChannelCarrierTest} runs the same cases on {@link UndertowCarrier}.
 */
@Timeout(120)
class WebSocketCarrierTest {
    private static final long BIG = 16L * 1024 * 1024;

    /** Whether the server carrier is {@link UndertowCarrier} (Undertow's WebSocket channel). */
    boolean undertowFrames() {
        return false;
    }

    private CarrierPair pair(long serverMaxMessage, long clientMaxMessage) throws Exception {
        return new CarrierPair(serverMaxMessage, clientMaxMessage, undertowFrames());
    }

    @Test
    void clientToServerBytesArriveInOrderAcrossLargeFragmentedMessages() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            RecordingListener server = pair.server();
            long total = 12L * 1024 * 1024 + 17;
            server.expectTotal = total;
            BatchWriter writer = new BatchWriter(pair.clientCarrier, total, 2 * 1024 * 1024, 300);
            pair.client().writer = writer;
            writer.start();
            writer.done.get(30, SECONDS);
            assertEquals(total, server.receivedAll.get(30, SECONDS));
            assertNull(server.failure);
            assertNull(pair.client().failure);
            assertEquals(0, pair.clientGauge.queuedBytes());
        }
    }

    @Test
    void serverToClientBytesArriveInOrder() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            RecordingListener client = pair.client();
            long total = 12L * 1024 * 1024 + 5;
            client.expectTotal = total;
            BatchWriter writer = new BatchWriter(pair.serverCarrier, total, 2 * 1024 * 1024, 257);
            pair.server().writer = writer;
            writer.start();
            writer.done.get(30, SECONDS);
            assertEquals(total, client.receivedAll.get(30, SECONDS));
            assertNull(client.failure);
            assertNull(pair.server().failure);
        }
    }

    /** A server that stops reading: the client carrier holds at most one batch, then resumes cleanly. */
    @Test
    void slowServerReaderBoundsTheClientsQueuedBytes() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            slowReader(pair.client(), pair.clientCarrier, pair.clientGauge, pair.server());
        }
    }

    /** A client that stops reading (no request(n)): the server carrier holds at most one batch. */
    @Test
    void slowClientReaderBoundsTheServersQueuedBytes() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            slowReader(pair.server(), pair.serverCarrier, pair.serverGauge, pair.client());
        }
    }

    private static void slowReader(RecordingListener senderSide, AbstractWsCarrier sender, WriteGauge gauge,
            RecordingListener reader) throws Exception {
        long total = 64L * 1024 * 1024;
        int batch = 256 * 1024;
        reader.pauseAt = 1024 * 1024;
        reader.expectTotal = total;
        BatchWriter writer = new BatchWriter(sender, total, batch, 16);
        senderSide.writer = writer;
        writer.start();
        // the reader stops, then the sender must come to wait on writability behind it
        reader.paused.get(60, SECONDS);
        writer.awaitStall().get(60, SECONDS);
        assertFalse(writer.done.isDone(), "the sender wrote everything although the reader stopped");
        long stuckAt = writer.completed.get();
        assertTrue(stuckAt < total / 2, "sender pushed " + stuckAt + " bytes past a stopped reader");
        assertTrue(gauge.highWaterBytes() <= batch,
                "carrier held " + gauge.highWaterBytes() + " bytes, more than one batch of " + batch);
        assertTrue(gauge.queuedBytes() <= batch);
        reader.resume();
        writer.done.get(60, SECONDS);
        assertEquals(total, reader.receivedAll.get(60, SECONDS));
        assertNull(reader.failure);
        assertTrue(gauge.highWaterBytes() <= batch);
    }

    @Test
    void gracefulCloseFromServerClosesBothWithoutCause() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            pair.serverCarrier.executor().execute(() -> pair.serverCarrier.close(true));
            assertEquals(Optional.empty(), pair.client().closed.get(30, SECONDS));
            assertEquals(Optional.empty(), pair.server().closed.get(30, SECONDS));
        }
    }

    @Test
    void gracefulCloseFromClientClosesBothWithoutCause() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            pair.clientCarrier.executor().execute(() -> pair.clientCarrier.close(true));
            assertEquals(Optional.empty(), pair.server().closed.get(30, SECONDS));
            assertEquals(Optional.empty(), pair.client().closed.get(30, SECONDS));
        }
    }

    @Test
    void closeReasonTravelsAsCloseCode() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            pair.serverCarrier.executor().execute(() -> pair.serverCarrier.close(true,
                    new CloseReason(ErrorCode.AUTH_FAILED, CloseReason.Origin.LOCAL, "bad token")));
            Throwable cause = pair.client().closed.get(30, SECONDS).orElseThrow();
            assertEquals(ErrorCode.AUTH_FAILED, assertInstanceOf(VmException.class, cause).errorCode());
            assertTrue(cause.getMessage().contains("1008"), cause.getMessage());
            assertEquals(Optional.empty(), pair.server().closed.get(30, SECONDS));
        }
        try (CarrierPair pair = pair(BIG, BIG)) {
            pair.clientCarrier.executor().execute(() -> pair.clientCarrier.close(true,
                    new CloseReason(ErrorCode.PROTOCOL_ERROR, CloseReason.Origin.LOCAL, "bad frame")));
            Throwable cause = pair.server().closed.get(30, SECONDS).orElseThrow();
            assertEquals(ErrorCode.PROTOCOL_ERROR, assertInstanceOf(VmException.class, cause).errorCode());
            assertTrue(cause.getMessage().contains("4001"), cause.getMessage());
        }
    }

    /** A failed handshake is the one close cause the SPI tells the carrier without an engine hook. */
    @Test
    void failedHandshakeClosesWithItsCode() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            pair.server().handshake.completeExceptionally(new org.p2pvm.HandshakeException(
                    new CloseReason(ErrorCode.AUTH_FAILED, CloseReason.Origin.LOCAL, "tokens differ")));
            pair.serverCarrier.executor().execute(() -> pair.serverCarrier.close(true));
            Throwable cause = pair.client().closed.get(30, SECONDS).orElseThrow();
            assertEquals(ErrorCode.AUTH_FAILED, assertInstanceOf(VmException.class, cause).errorCode());
            assertTrue(cause.getMessage().contains("1008"), cause.getMessage());
        }
    }

    @Test
    void abruptCloseNotifiesOnceAndFailsLaterWrites() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            CompletableFuture<Throwable> late = new CompletableFuture<>();
            pair.clientCarrier.executor().execute(() -> {
                pair.clientCarrier.close(false);
                pair.clientCarrier.close(true);
                pair.clientCarrier.write(new ByteBuffer[] {ByteBuffer.allocate(4)}, 1, late::complete);
            });
            assertEquals(Optional.empty(), pair.client().closed.get(30, SECONDS));
            assertTrue(late.get(30, SECONDS) != null);
            assertTrue(pair.server().closed.get(30, SECONDS).isPresent(), "server sees a lost connection");
            assertNull(pair.client().failure);
        }
    }

    @Test
    void textMessageToServerIsProtocolError() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            pair.clientCarrier.webSocket().sendText("hello", true).get(30, SECONDS);
            Throwable cause = pair.server().closed.get(30, SECONDS).orElseThrow();
            assertEquals(ErrorCode.PROTOCOL_ERROR, assertInstanceOf(VmException.class, cause).errorCode());
            Throwable clientCause = pair.client().closed.get(30, SECONDS).orElseThrow();
            assertTrue(clientCause.getMessage().contains("" + WebSocketCloseCodes.UNSUPPORTED_DATA),
                    clientCause.getMessage());
            assertEquals(ErrorCode.PROTOCOL_ERROR, ((VmException) clientCause).errorCode());
        }
    }

    @Test
    void textMessageToClientIsProtocolError() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            pair.serverCarrier.executor().execute(() -> sendTextFromServer(pair));
            Throwable cause = pair.client().closed.get(30, SECONDS).orElseThrow();
            assertEquals(ErrorCode.PROTOCOL_ERROR, assertInstanceOf(VmException.class, cause).errorCode());
        }
    }

    /** Sends a text message from the server carrier's connection, bypassing the carrier (on its executor). */
    private static void sendTextFromServer(CarrierPair pair) {
        try {
            if (pair.serverCarrier instanceof UndertowCarrier) {
                var f = UndertowCarrier.class.getDeclaredField("channel");
                f.setAccessible(true);
                WebSockets.sendText("hello", (io.undertow.websockets.core.WebSocketChannel) f.get(pair.serverCarrier),
                        null);
                return;
            }
            var f = FrameCodecCarrier.class.getDeclaredField("connection");
            f.setAccessible(true);
            var sink = ((org.xnio.StreamConnection) f.get(pair.serverCarrier)).getSinkChannel();
            ByteBuffer frame = ByteBuffer.allocate(7);
            WsFrameEncoder.putHeader(frame, WsFrameDecoder.OP_TEXT, true, 5);
            frame.put("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).flip();
            while (frame.hasRemaining()) {
                sink.write(frame);
            }
            sink.flush();
        } catch (ReflectiveOperationException | java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void oversizedMessageToServerIsRejectedWithMessageTooBig() throws Exception {
        try (CarrierPair pair = pair(64 * 1024, BIG)) {
            pair.server().expectTotal = Long.MAX_VALUE;
            BatchWriter writer = new BatchWriter(pair.clientCarrier, 100 * 1024, 100 * 1024, 3);
            writer.start();
            Throwable cause = pair.server().closed.get(30, SECONDS).orElseThrow();
            assertEquals(ErrorCode.FRAME_SIZE_ERROR, assertInstanceOf(VmException.class, cause).errorCode());
            Throwable clientCause = pair.client().closed.get(30, SECONDS).orElseThrow();
            assertEquals(ErrorCode.FRAME_SIZE_ERROR, ((VmException) clientCause).errorCode());
            assertTrue(clientCause.getMessage().contains("1009"), clientCause.getMessage());
        }
    }

    @Test
    void oversizedMessageToClientIsRejected() throws Exception {
        try (CarrierPair pair = pair(BIG, 64 * 1024)) {
            BatchWriter writer = new BatchWriter(pair.serverCarrier, 100 * 1024, 100 * 1024, 3);
            writer.start();
            Throwable cause = pair.client().closed.get(30, SECONDS).orElseThrow();
            assertEquals(ErrorCode.FRAME_SIZE_ERROR, assertInstanceOf(VmException.class, cause).errorCode());
            Throwable serverCause = pair.server().closed.get(30, SECONDS).orElseThrow();
            assertEquals(ErrorCode.FRAME_SIZE_ERROR, ((VmException) serverCause).errorCode());
        }
    }

    /** A bare JDK client against the Undertow carrier: the carrier answers pings (Undertow does) and reads on. */
    @Test
    void pingsDoNotDisturbTheStream() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            WebSocket ws = pair.clientCarrier.webSocket();
            ws.sendPing(ByteBuffer.wrap(new byte[] {1, 2})).get(30, SECONDS);
            RecordingListener server = pair.server();
            server.expectTotal = 1000;
            BatchWriter writer = new BatchWriter(pair.clientCarrier, 1000, 1000, 2);
            writer.start();
            assertEquals(1000, server.receivedAll.get(30, SECONDS));
            assertNull(server.failure);
        }
    }

    @Test
    void serverWithoutSubprotocolIsVisibleToTheClient() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (RawServer raw = new RawServer(Set.of(), (exchange, channel) -> channel.resumeReceives())) {
            HttpClient http = HttpClient.newBuilder().executor(pool).build();
            CompletableFuture<String> selected = new CompletableFuture<>();
            WebSocket ws = http.newWebSocketBuilder().subprotocols(P2pvmWebSocketHandler.SUBPROTOCOL)
                    .buildAsync(raw.uri(), new WebSocket.Listener() {
                        @Override
                        public void onOpen(WebSocket webSocket) {
                            selected.complete(webSocket.getSubprotocol());
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                            return null;
                        }
                    }).get(30, SECONDS);
            // the JDK accepts a server that selects nothing: the transport must check (WebSocketTransportTest)
            assertEquals("", selected.get(30, SECONDS));
            ws.abort();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void writableAgainAfterEachBatch() throws Exception {
        try (CarrierPair pair = pair(BIG, BIG)) {
            BatchWriter writer = new BatchWriter(pair.clientCarrier, 10 * 4096, 4096, 2);
            pair.client().writer = writer;
            pair.server().expectTotal = 10 * 4096;
            writer.start();
            writer.done.get(30, SECONDS);
            pair.server().receivedAll.get(30, SECONDS);
            assertTrue(pair.client().writableEvents.get() >= 9, "onWritable after each completed batch");
            CompletableFuture<Boolean> writable = new CompletableFuture<>();
            pair.clientCarrier.executor().execute(() -> writable.complete(pair.clientCarrier.isWritable()));
            assertTrue(writable.get(30, SECONDS));
        }
    }

    @Test
    void closeTimeoutDropsAPeerThatNeverAnswers() throws Exception {
        // the JDK client answers close frames itself, so check the timer path with a tiny timeout instead:
        // a client-initiated close whose answer arrives is closed well before the timer either way
        try (CarrierPair pair = pair(BIG, BIG)) {
            long start = System.nanoTime();
            pair.clientCarrier.executor().execute(() -> pair.clientCarrier.close(true));
            pair.client().closed.get(30, SECONDS);
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
        }
    }
}
