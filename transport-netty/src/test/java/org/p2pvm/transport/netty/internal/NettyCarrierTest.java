package org.p2pvm.transport.netty.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static java.util.concurrent.TimeUnit.SECONDS;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.p2pvm.engine.contract.ClosePeers;

/**
 * The carrier at byte level, over real loopback sockets, with a fake engine: bytes in, gathering
 * writes out, writability, read pausing, close. Runs on NIO and, where the machine has it, epoll.
 */
@Timeout(30)
class NettyCarrierTest {
    private EventLoopGroup group;
    private Channel server;
    private final LinkedBlockingQueue<NettyCarrier> carriers = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<FakeListener> listeners = new LinkedBlockingQueue<>();
    private Socket peer;
    /** Set before {@link #start} to put an outbound handler in front of the carrier. */
    private io.netty.channel.ChannelOutboundHandler inFront;

    static Stream<String> flavors() {
        return IoFlavor.choose(true).name().equals("epoll") ? Stream.of("nio", "epoll") : Stream.of("nio");
    }

    private void start(String flavorName, WriteBufferWaterMark mark) throws Exception {
        IoFlavor flavor = flavorName.equals("epoll") ? IoFlavor.choose(true) : IoFlavor.nio();
        group = new MultiThreadIoEventLoopGroup(1, flavor.ioHandlerFactory());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(flavor.serverChannel())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (mark != null) {
                            ch.config().setWriteBufferWaterMark(mark);
                        }
                        if (inFront != null) {
                            ch.pipeline().addLast("in-front", inFront);
                        }
                        NettyCarrier c = new NettyCarrier(ch, false, true, carrier -> {
                            FakeListener l = new FakeListener(ch);
                            listeners.add(l);
                            return l;
                        });
                        ch.pipeline().addLast(c);
                        carriers.add(c);
                    }
                });
        server = b.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        peer = new Socket();
        peer.connect(server.localAddress());
    }

    @AfterEach
    void stop() throws Exception {
        if (peer != null) {
            peer.close();
        }
        if (server != null) {
            server.close().sync();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, SECONDS).sync();
        }
    }

    private FakeListener listener() throws InterruptedException {
        FakeListener l = listeners.poll(10, SECONDS);
        assertNotNull(l, "the carrier did not start the engine");
        return l;
    }

    private NettyCarrier carrier() throws InterruptedException {
        NettyCarrier c = carriers.poll(10, SECONDS);
        assertNotNull(c);
        return c;
    }

    private static <T> T onLoop(NettyCarrier c, java.util.concurrent.Callable<T> task) throws Exception {
        CompletableFuture<T> f = new CompletableFuture<>();
        c.channel().eventLoop().execute(() -> {
            try {
                f.complete(task.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f.get(10, SECONDS);
    }

    @ParameterizedTest
    @MethodSource("flavors")
    void inboundBytesReachTheEngineInOrderOnTheLoop(String flavor) throws Exception {
        start(flavor, null);
        FakeListener l = listener();
        byte[] data = new byte[300_000];
        new Random(7).nextBytes(data);
        OutputStream out = peer.getOutputStream();
        for (int off = 0; off < data.length; off += 7919) {
            out.write(data, off, Math.min(7919, data.length - off));
        }
        out.flush();
        assertArrayEquals(data, l.awaitBytes(data.length));
        assertTrue(l.violations.isEmpty(), l.violations.toString());
    }

    @ParameterizedTest
    @MethodSource("flavors")
    void aBatchGoesOutAsOneGatheringWriteAndCompletesInOrder(String flavor) throws Exception {
        // every write and flush the carrier makes passes this handler on its way to the socket
        List<String> outbound = new CopyOnWriteArrayList<>();
        inFront = new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise p) {
                outbound.add("write");
                ctx.write(msg, p);
            }

            @Override
            public void flush(io.netty.channel.ChannelHandlerContext ctx) {
                outbound.add("flush");
                ctx.flush();
            }
        };
        start(flavor, null);
        NettyCarrier c = carrier();
        listener();
        ByteBuffer header = ByteBuffer.wrap(new byte[] {1, 2, 3});
        ByteBuffer payload = ByteBuffer.allocateDirect(5).put(new byte[] {4, 5, 6, 7, 8});
        payload.flip();
        ByteBuffer notSent = ByteBuffer.wrap(new byte[] {99});
        ByteBuffer[] batch = {header, payload, notSent};
        List<String> order = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> both = new CompletableFuture<>();
        onLoop(c, () -> {
            assertTrue(c.isWritable());
            c.write(batch, 2, failure -> {
                order.add("first" + (failure == null ? "" : failure));
                assertTrue(c.inExecutor());
            });
            c.write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {9})}, 1, failure -> {
                order.add("second" + (failure == null ? "" : failure));
                both.complete(null);
            });
            // completions never run inside write(): the engine is not re-entered
            assertTrue(order.isEmpty());
            return null;
        });
        both.get(10, SECONDS);
        assertEquals(List.of("first", "second"), order);
        // one flush per batch, after all of the batch's parts (heap header and direct payload: two)
        assertEquals(List.of("write", "write", "flush", "write", "flush"), outbound);
        byte[] got = new byte[9];
        new DataInputStream(peer.getInputStream()).readFully(got);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, got);
        // the carrier did not move the engine's buffers
        assertEquals(0, header.position());
        assertEquals(0, payload.position());
        assertEquals(3, header.remaining());
    }

    @ParameterizedTest
    @MethodSource("flavors")
    void aLargeBatchOfHeapAndDirectBuffersArrivesWholeAndInOrder(String flavor) throws Exception {
        start(flavor, null);
        NettyCarrier c = carrier();
        listener();
        // more buffers than one writev takes (IOV_MAX 1024), alternating heap and direct, some empty
        int count = 1024 + 77;
        Random random = new Random(11);
        ByteBuffer[] batch = new ByteBuffer[count];
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[i % 50 == 0 ? 0 : 1 + random.nextInt(i % 2 == 0 ? 9 : 3000)];
            random.nextBytes(bytes);
            expected.write(bytes);
            batch[i] = i % 2 == 0 ? ByteBuffer.wrap(bytes) : ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        }
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        onLoop(c, () -> {
            c.write(batch, count, done::complete);
            return null;
        });
        byte[] want = expected.toByteArray();
        byte[] got = new byte[want.length];
        new DataInputStream(peer.getInputStream()).readFully(got);
        assertArrayEquals(want, got);
        assertEquals(null, done.get(10, SECONDS));
        for (ByteBuffer b : batch) {
            assertEquals(0, b.position(), "the carrier must not move the engine's buffers");
        }
    }

    /**
     * A batch is queued in Netty as its own parts (no composite, whose components Netty would re-slice
     * on every writev), nothing beyond that one batch is queued, and its completion comes only once
     * its last byte has left the outbound buffer.
     */
    @ParameterizedTest
    @MethodSource("flavors")
    void aBatchIsQueuedAsItsPartsAndCompletesOnlyOnceItLeftTheOutboundBuffer(String flavor) throws Exception {
        start(flavor, null);
        NettyCarrier c = carrier();
        listener();
        // far more than the loopback socket buffers hold while the peer does not read
        int frames = 128;
        int payload = 256 * 1024;
        ByteBuffer data = ByteBuffer.allocateDirect(payload);
        for (int i = 0; i < payload; i++) {
            data.put(i, (byte) (i * 31));
        }
        ByteBuffer[] batch = new ByteBuffer[frames * 2];
        long total = 0;
        for (int i = 0; i < frames; i++) {
            batch[2 * i] = ByteBuffer.wrap(new byte[] {(byte) i, 9, 9}); // a heap "header"
            batch[2 * i + 1] = data.duplicate();
            total += 3 + payload;
        }
        long batchBytes = total;
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        long queued = onLoop(c, () -> {
            c.write(batch, batch.length, done::complete);
            io.netty.channel.ChannelOutboundBuffer out = c.channel().unsafe().outboundBuffer();
            List<Object> messages = new ArrayList<>();
            out.forEachFlushedMessage(m -> messages.add(m));
            for (Object m : messages) {
                assertFalse(m instanceof io.netty.buffer.CompositeByteBuf, "a batch part was queued as a composite");
                assertTrue(((io.netty.buffer.ByteBuf) m).readableBytes() <= payload, "parts are queued as they are");
            }
            return out.totalPendingWriteBytes();
        });
        assertTrue(queued > 0 && queued <= batchBytes, "only this batch is queued: " + queued);
        assertFalse(done.isDone(), "completed while bytes of the batch were still queued in Netty");
        DataInputStream in = new DataInputStream(peer.getInputStream());
        byte[] want = new byte[payload];
        data.duplicate().get(want);
        byte[] got = new byte[payload];
        for (int i = 0; i < frames; i++) {
            byte[] header = new byte[3];
            in.readFully(header);
            assertArrayEquals(new byte[] {(byte) i, 9, 9}, header);
            in.readFully(got);
            assertArrayEquals(want, got);
        }
        assertEquals(null, done.get(10, SECONDS));
        assertEquals(0L, (long) onLoop(c, () -> c.channel().unsafe().outboundBuffer().totalPendingWriteBytes()));
    }

    @ParameterizedTest
    @MethodSource("flavors")
    void writabilityFollowsTheSocketAndOnWritableFires(String flavor) throws Exception {
        start(flavor, new WriteBufferWaterMark(8 * 1024, 32 * 1024));
        NettyCarrier c = carrier();
        FakeListener l = listener();
        int chunk = 256 * 1024;
        ByteBuffer big = ByteBuffer.allocateDirect(chunk);
        int[] written = {0};
        // write until the peer, which is not reading, makes the carrier unwritable
        boolean unwritable = false;
        for (int i = 0; i < 400 && !unwritable; i++) {
            unwritable = onLoop(c, () -> {
                c.write(new ByteBuffer[] {big.duplicate()}, 1, f -> { });
                written[0] += chunk;
                return !c.isWritable();
            });
        }
        assertTrue(unwritable, "a peer that does not read must make the carrier unwritable");
        // drain everything on the peer; the carrier turns writable and says so
        InputStream in = peer.getInputStream();
        byte[] sink = new byte[64 * 1024];
        long total = 0;
        while (total < written[0]) {
            int n = in.read(sink);
            assertTrue(n > 0);
            total += n;
        }
        assertEquals("writable", l.events.poll(10, SECONDS));
        assertTrue(onLoop(c, c::isWritable));
        assertTrue(l.violations.isEmpty(), l.violations.toString());
    }

    @ParameterizedTest
    @MethodSource("flavors")
    void readsPausedByTheEngineAreHeldNotLost(String flavor) throws Exception {
        start(flavor, null);
        NettyCarrier c = carrier();
        FakeListener l = listener();
        // the engine turns reading off inside its first onRead
        l.onReadHook = () -> {
            l.onReadHook = null;
            c.setReadEnabled(false);
        };
        OutputStream out = peer.getOutputStream();
        out.write(new byte[] {1});
        out.flush();
        assertArrayEquals(new byte[] {1}, l.awaitBytes(1));
        byte[] more = new byte[100_000];
        new Random(3).nextBytes(more);
        out.write(more);
        out.flush();
        // a round trip through the loop proves it processed its queue; while off nothing is delivered
        for (int i = 0; i < 3; i++) {
            assertEquals(1, (int) onLoop(c, () -> l.receivedBytes().length));
        }
        onLoop(c, () -> {
            c.setReadEnabled(true);
            return null;
        });
        byte[] all = l.awaitBytes(1 + more.length);
        assertEquals(1 + more.length, all.length);
        assertArrayEquals(more, java.util.Arrays.copyOfRange(all, 1, all.length));
    }

    @ParameterizedTest
    @MethodSource("flavors")
    void closeWithFlushSendsEverythingThenClosesOnce(String flavor) throws Exception {
        start(flavor, null);
        NettyCarrier c = carrier();
        FakeListener l = listener();
        byte[] data = new byte[200_000];
        new Random(5).nextBytes(data);
        onLoop(c, () -> {
            c.write(new ByteBuffer[] {ByteBuffer.wrap(data)}, 1, f -> { });
            c.close(true);
            c.close(true);
            return null;
        });
        byte[] got = peer.getInputStream().readAllBytes();
        assertArrayEquals(data, got);
        peer.shutdownOutput(); // the carrier's FIN came; it closes once ours comes too (a lingering close)
        assertInstanceOf(FakeListener.NoCause.class, l.closed.get(10, SECONDS));
        onLoop(c, () -> null);
        assertEquals(1, l.closedCalls);
    }

    /**
     * The "close anyway" limit a flushing close arms is cancelled once the channel closes: a pending
     * task keeps the channel (and its pipeline, SSLEngine and tunnel) reachable until it runs.
     */
    @ParameterizedTest
    @MethodSource("flavors")
    void aFlushingCloseLeavesNoScheduledTaskOnTheLoop(String flavor) throws Exception {
        start(flavor, null);
        NettyCarrier c = carrier();
        FakeListener l = listener();
        onLoop(c, () -> {
            c.write(new ByteBuffer[] {ByteBuffer.wrap(new byte[1000])}, 1, f -> { });
            c.close(true);
            return null;
        });
        peer.getInputStream().readAllBytes();
        l.closed.get(10, SECONDS);
        c.channel().closeFuture().get(10, SECONDS);
        // the next scheduled task, due or not (protected in Netty)
        java.lang.reflect.Method peek = io.netty.util.concurrent.AbstractScheduledEventExecutor.class
                .getDeclaredMethod("peekScheduledTask");
        peek.setAccessible(true);
        Object left = onLoop(c, () -> peek.invoke(c.channel().eventLoop()));
        assertEquals(null, left, "a task is still scheduled on the closed carrier's event loop");
    }

    @ParameterizedTest
    @MethodSource("flavors")
    void aFlushingCloseWaitsForTheWriteHandedOverByACompletion(String flavor) throws Exception {
        start(flavor, null);
        NettyCarrier c = carrier();
        FakeListener l = listener();
        // big enough to stay in flight while the peer does not read
        byte[] big = new byte[16 * 1024 * 1024];
        byte[] last = "GOAWAY".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        onLoop(c, () -> {
            c.write(new ByteBuffer[] {ByteBuffer.wrap(big)}, 1, f -> {
                // as the engine does: its last control frame waited behind the batch in flight
                assertTrue(c.isWritable(), "nothing of ours is queued any more");
                c.write(new ByteBuffer[] {ByteBuffer.wrap(last)}, 1, g -> { });
            });
            c.close(true);
            return null;
        });
        byte[] got = peer.getInputStream().readAllBytes();
        assertEquals(big.length + last.length, got.length);
        assertArrayEquals(last, java.util.Arrays.copyOfRange(got, big.length, got.length));
        peer.shutdownOutput();
        assertInstanceOf(FakeListener.NoCause.class, l.closed.get(10, SECONDS));
    }

    /**
     * The peer still sends (as an engine sends WINDOW updates) while the carrier closes after a
     * large write: every byte arrives, then EOF, never a reset (a socket closed while receiving
     * answers with RST, which destroys what its kernel had not delivered yet).
     */
    @ParameterizedTest
    @MethodSource("flavors")
    void closeWithFlushWhileThePeerStillSendsDeliversEveryByteThenEof(String flavor) throws Exception {
        start(flavor, null);
        NettyCarrier c = carrier();
        FakeListener l = listener();
        byte[] big = ClosePeers.pattern(8 << 20);
        onLoop(c, () -> {
            c.write(new ByteBuffer[] {ByteBuffer.wrap(big)}, 1, f -> { });
            c.close(true);
            return null;
        });
        assertEquals(big.length, ClosePeers.readToEofWhileSending(peer));
        peer.shutdownOutput();
        assertInstanceOf(FakeListener.NoCause.class, l.closed.get(10, SECONDS));
        assertTrue(l.violations.isEmpty(), l.violations.toString());
    }

    /** Bytes that arrive right before the peer's FIN (often in the same read) all reach the engine before onClosed. */
    @ParameterizedTest
    @MethodSource("flavorsAndSizes")
    void peerWritesThenClosesEveryByteIsDeliveredBeforeOnClosed(String flavor, int n) throws Exception {
        start(flavor, null);
        FakeListener l = listener();
        ClosePeers.writeThenClose(peer, n);
        assertInstanceOf(FakeListener.NoCause.class, l.closed.get(10, SECONDS));
        assertArrayEquals(ClosePeers.pattern(n), l.bytesAtClose);
        assertTrue(l.violations.isEmpty(), l.violations.toString());
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> flavorsAndSizes() {
        return flavors().flatMap(f -> Stream.of(100, 4 << 20).map(n -> org.junit.jupiter.params.provider.Arguments.of(f, n)));
    }

    @ParameterizedTest
    @MethodSource("flavors")
    void peerEofClosesOnceAndPendingWritesFail(String flavor) throws Exception {
        start(flavor, null);
        NettyCarrier c = carrier();
        FakeListener l = listener();
        peer.shutdownOutput();
        assertNotNull(l.closed.get(10, SECONDS));
        List<Throwable> failures = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        onLoop(c, () -> {
            c.write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})}, 1, f -> {
                failures.add(f);
                done.complete(null);
            });
            return null;
        });
        done.get(10, SECONDS);
        assertNotNull(failures.get(0), "a write after close must fail, not vanish");
        assertEquals(1, l.closedCalls);
    }

    @ParameterizedTest
    @MethodSource("flavors")
    void aResetPeerReportsAnError(String flavor) throws Exception {
        start(flavor, null);
        FakeListener l = listener();
        peer.setSoLinger(true, 0);
        peer.close();
        Throwable cause = l.closed.get(10, SECONDS);
        assertNotNull(cause);
        assertFalse(cause instanceof FakeListener.NoCause, "a reset is not an orderly close: " + cause);
        assertEquals(1, l.closedCalls);
        assertTrue(l.violations.isEmpty(), l.violations.toString());
    }

    @ParameterizedTest
    @MethodSource("flavors")
    void addressesAndRoleAreThoseOfTheChannel(String flavor) throws Exception {
        start(flavor, null);
        NettyCarrier c = carrier();
        listener();
        assertFalse(c.isDialer());
        assertEquals(peer.getLocalSocketAddress(), c.remoteAddress());
        assertEquals(((InetSocketAddress) server.localAddress()).getPort(),
                ((InetSocketAddress) c.localAddress()).getPort());
        assertTrue(onLoop(c, c::inExecutor));
        assertFalse(c.inExecutor());
    }
}
