package org.p2pvm.engine.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.p2pvm.engine.contract.ContractAssertions.assertCarrierFailure;
import static org.p2pvm.engine.contract.ContractAssertions.assertReset;
import static org.p2pvm.engine.contract.ContractAssertions.assertTunnelClosed;
import static org.p2pvm.engine.contract.ContractAssertions.sha256Of;
import static org.p2pvm.engine.contract.ContractAssertions.writeInPieces;
import static org.p2pvm.engine.contract.Waits.await;
import static org.p2pvm.engine.contract.Waits.awaitFailure;
import static org.p2pvm.engine.contract.Waits.on;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.HandshakeException;
import org.p2pvm.StreamResetException;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.TunnelOptions;
import org.p2pvm.TunnelStats;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmException;
import org.p2pvm.VmServer;

/**
 * The contract every carrier must pass: PROTOCOL.md's observable behaviour over a real link, through
 * the public API only (vm-api and a {@link TunnelHarness}). A transport runs it with
 *
 * <pre>{@code
 * class NioContractTest extends TunnelContractTest {
 *     @Override protected TunnelHarness createHarness() {
 *         return new TransportHarness("nio", () -> Transports.get("nio"), () -> Transports.get("nio"),
 *                 URI.create("tcp://127.0.0.1:0"));
 *     }
 * }
 * }</pre>
 *
 * Each test is named after the PROTOCOL.md section it checks. One harness serves the class; every
 * test opens its own tunnels, which are closed after it. Every wait is bounded ({@link Waits}), so a
 * broken carrier or engine fails a test instead of hanging the build. Scenario sizes are modest
 * (see {@link #scale()}): the whole kit runs in well under a minute per carrier on two cores.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TunnelContractTest extends ContractTestBase {
    private static final VmAddress ECHO = VmAddress.parse("[::99]:11139");
    private static final VmAddress OTHER = VmAddress.parse("[2001:db8::7]:80");
    private static final long SEED = 20261125L;

    // ---- §4 handshake ----

    @Test
    void s4_handshake_opensBothEnds() throws Exception {
        TunnelOptions d = options().maxFragmentSize(1024).build();
        TunnelOptions a = options().initialStreamWindow(128 * 1024).build();
        Tunnels t = open(d, a, null, null);
        assertTrue(t.dialer().isOpen(), "dialer open");
        assertTrue(t.acceptor().isOpen(), "acceptor open");
        assertTrue(t.dialer().isDialer());
        assertFalse(t.acceptor().isDialer());
        // the harness may add TLS settings (TransportHarness.withTls): compare everything else
        assertEquals(d, t.dialer().options().toBuilder().tls(null).build());
        assertEquals(a, t.acceptor().options().toBuilder().tls(null).build());
        assertNotNull(t.dialer().carrierLocalAddress());
        assertNotNull(t.acceptor().carrierRemoteAddress());
        assertFalse(t.dialer().closeFuture().isDone());
        assertFalse(t.acceptor().closeFuture().isDone());
        TunnelStats s = t.dialer().stats();
        assertEquals(0, s.activeStreams());
        assertTrue(s.bytesSent() > 0 && s.bytesReceived() > 0, "HELLO and AUTH went both ways: " + s);
    }

    @Test
    void s4_wrongToken_failsBothEndsWithAuthFailed() throws Exception {
        TunnelPair p = openPair(options().authToken("dialer-token").build(),
                options().authToken("acceptor-token").build(), null, null);
        Throwable d = awaitFailure(p.dialer(), "the dialer's handshake with a wrong token");
        assertInstanceOf(HandshakeException.class, d, "dialer failure");
        assertEquals(ErrorCode.AUTH_FAILED, ((VmException) d).errorCode(), "dialer: " + d);
        Throwable a = awaitFailure(p.acceptor(), "the acceptor's handshake with a wrong token");
        if (a instanceof VmException v) {
            assertInstanceOf(HandshakeException.class, a, "acceptor failure");
            assertEquals(ErrorCode.AUTH_FAILED, v.errorCode(), "acceptor: " + a);
        } // else: the harness cannot see the acceptor's side (TransportHarness), only that it never opened
    }

    // ---- §1, §4 step 5, §5 listen push ----

    @Test
    void s4_5_listenPush_bothDirections() throws Exception {
        VmAddress onDialer = VmAddress.parse("[::d]:1000");
        VmAddress late = VmAddress.parse("[::d]:1001");
        VmServer acceptorServer = server(ECHO, c -> c.setHandler(Handlers.discard()));
        VmServer dialerServer = server(onDialer, c -> c.setHandler(Handlers.discard()));
        Tunnels t = open(options().build(), options().build(), tun -> tun.install(dialerServer),
                tun -> tun.install(acceptorServer));
        await(t.dialer().awaitRemoteListen(ECHO), "the acceptor's LISTEN at the dialer");
        await(t.acceptor().awaitRemoteListen(onDialer), "the dialer's LISTEN at the acceptor");
        assertTrue(t.dialer().remoteListens().contains(ECHO), "dialer's remote table " + t.dialer().remoteListens());
        assertTrue(t.acceptor().remoteListens().contains(onDialer));
        assertTrue(t.acceptor().localListens().contains(ECHO));

        await(t.dialer().install(server(late, c -> c.setHandler(Handlers.discard()))), "a later install");
        await(t.acceptor().awaitRemoteListen(late), "the LISTEN of a server installed after the handshake");
        await(t.acceptor().connect(late), "a connect to the later server");
        await(t.dialer().connect(ECHO), "a connect to the acceptor's server");

        await(t.acceptor().uninstall(acceptorServer), "uninstall");
        assertFalse(t.acceptor().localListens().contains(ECHO));
        Throwable refused = awaitFailure(t.dialer().connect(ECHO), "a connect to an uninstalled server");
        assertReset(refused, ErrorCode.REFUSED);
    }

    @Test
    void s1_wildcardListener_acceptsEveryAddressOnItsPort() throws Exception {
        List<VmAddress> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Tunnels t = openServing(server(VmAddress.any(7000), c -> {
            seen.add(c.localAddress());
            c.setHandler(Handlers.discard());
        }));
        VmAddress a = VmAddress.parse("[::5]:7000");
        VmAddress b = VmAddress.parse("[2001:db8::1]:7000");
        await(t.dialer().awaitRemoteListen(a), "[::]:7000 to cover [::5]:7000");
        await(t.dialer().connect(a), "connect " + a);
        await(t.dialer().connect(b), "connect " + b);
        assertEquals(List.of(a, b), seen, "the accepted streams' local addresses are the destinations");
        assertReset(awaitFailure(t.dialer().connect(VmAddress.parse("[::5]:7001")), "another port"),
                ErrorCode.REFUSED);
    }

    /** One {@link VmServer} installed on several tunnels at once (the seed's one server, many links). */
    @Test
    void s1_oneServer_installedOnManyTunnels() throws Exception {
        List<Tunnel> acceptedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
        VmServer shared = server(ECHO, c -> {
            acceptedOn.add(c.tunnel());
            c.setHandler(Handlers.discard());
        });
        List<Tunnels> pairs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pairs.add(openServing(shared));
        }
        for (Tunnels t : pairs) {
            await(t.dialer().connect(ECHO), "a connect over one of the tunnels");
        }
        for (Tunnels t : pairs) {
            assertTrue(acceptedOn.contains(t.acceptor()), "the shared server accepted on every tunnel");
        }
        await(pairs.get(0).acceptor().uninstall(shared), "uninstall from the first tunnel");
        assertReset(awaitFailure(pairs.get(0).dialer().connect(ECHO), "a connect where it was uninstalled"),
                ErrorCode.REFUSED);
        await(pairs.get(1).dialer().connect(ECHO), "the server still serves the other tunnels");
    }

    // ---- §5 streams ----

    /**
     * 10,000 streams at once (half opened by each end, so both id parities), each moving random data
     * of varied size both ways, checked by SHA-256; writers respect writability (a small high water
     * mark makes them wait for it).
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void s5_tenThousandConcurrentStreams_sha256BothWays() throws Exception {
        ManyStreams streams = new ManyStreams(scale().streams(), scale().maxStreamBytes(), SEED);
        VmAddress onDialer = VmAddress.parse("[::d]:2000");
        TunnelOptions o = options().streamWriteHighWaterMark(4096).build();
        Tunnels t = open(o, o, tun -> tun.install(VmServer.listen(onDialer, streams.acceptor())),
                tun -> tun.install(VmServer.listen(ECHO, streams.acceptor())));
        await(t.acceptor().awaitRemoteListen(onDialer), "the dialer's LISTEN");
        streams.openAll(t.dialer(), ECHO, t.acceptor(), onDialer);
        streams.awaitAndVerify(t.dialer(), t.acceptor());
    }

    @Test
    void s5_earlyData_deliveredBeforeAccept() throws Exception {
        Payload data = Payload.random(new SplittableRandom(SEED), 50_000);
        CompletableFuture<DuplexChecker> atAcceptor = new CompletableFuture<>();
        VmAddress source = VmAddress.parse("[fd00::42]:4242");
        Tunnels t = openServing(server(ECHO, c -> {
            assertEquals(source, c.remoteAddress());
            assertEquals(ECHO, c.localAddress());
            atAcceptor.complete(DuplexChecker.attach("acceptor", c, Payload.EMPTY, data, false));
        }));
        VmConnection c = t.dialer().open(ECHO, source);
        DuplexChecker opener = DuplexChecker.attach("opener", c, data, Payload.EMPTY, false);
        await(c.established(), "ACCEPT");
        await(opener.done, "the opener's side");
        await(await(atAcceptor, "the accepted stream").done, "the acceptor's side");
    }

    @Test
    void s5_halfClose_otherDirectionStillFlows() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        Payload request = Payload.random(random, 10_000);
        Payload response = Payload.random(random, scale().bulkBytes() / 4);
        CompletableFuture<DuplexChecker> atAcceptor = new CompletableFuture<>();
        Tunnels t = openServing(server(ECHO, c -> atAcceptor.complete(
                DuplexChecker.attach("acceptor", c, response, request, true)))); // answers after our FIN
        VmConnection c = await(t.dialer().connect(ECHO), "connect");
        DuplexChecker opener = DuplexChecker.attach("opener", c, request, response, false);
        await(opener.done, "the response after the request's FIN");
        assertTrue(c.isOutputShutdown() && c.isInputShutdown());
        await(await(atAcceptor, "accepted").done, "the acceptor's side");
    }

    @Test
    void s5_reset_failsBothEnds() throws Exception {
        CompletableFuture<VmConnection> accepted = new CompletableFuture<>();
        CompletableFuture<Throwable> acceptorClosed = new CompletableFuture<>();
        Tunnels t = openServing(server(ECHO, c -> {
            c.setHandler(Handlers.onClosed(acceptorClosed));
            accepted.complete(c);
        }));
        VmConnection c = await(t.dialer().connect(ECHO), "connect");
        await(c.write(ByteBuffer.wrap(new byte[1000])), "a first write");
        VmConnection server = await(accepted, "accepted");
        c.reset(ErrorCode.CANCELLED);

        StreamResetException local = assertReset(awaitFailure(c.closeFuture(), "the resetting end"),
                ErrorCode.CANCELLED);
        assertFalse(local.isRemote(), "the opener reset it itself");
        StreamResetException remote = assertReset(awaitFailure(server.closeFuture(), "the reset end"),
                ErrorCode.CANCELLED);
        assertTrue(remote.isRemote(), "the acceptor got the peer's RESET");
        assertInstanceOf(StreamResetException.class, await(acceptorClosed, "the handler's onClosed"));
        awaitFailure(c.write(ByteBuffer.wrap(new byte[10])), "a write after reset");
        assertFalse(c.isOpen());

        await(t.dialer().ping(), "the tunnel stays up");
        await(t.dialer().connect(ECHO), "a new stream after the reset");
    }

    @Test
    void s5_reset_byAcceptor_failsTheOpener() throws Exception {
        Tunnels t = openServing(server(ECHO, c -> c.setHandler(Handlers.onData(
                (conn, data) -> conn.reset(ErrorCode.INTERNAL_ERROR)))));
        VmConnection c = await(t.dialer().connect(ECHO), "connect");
        c.write(ByteBuffer.wrap(new byte[100]));
        StreamResetException e = assertReset(awaitFailure(c.closeFuture(), "the opener"), ErrorCode.INTERNAL_ERROR);
        assertTrue(e.isRemote());
        await(t.dialer().connect(ECHO), "a new stream after the reset");
    }

    @Test
    void s5_refused_noListener() throws Exception {
        Tunnels t = openServing(server(ECHO, c -> c.setHandler(Handlers.discard())));
        assertReset(awaitFailure(t.dialer().connect(OTHER), "a connect where nothing listens"), ErrorCode.REFUSED);
        assertReset(awaitFailure(t.acceptor().connect(ECHO), "a connect to the peer, which listens nowhere"),
                ErrorCode.REFUSED);
        await(t.dialer().connect(ECHO), "the tunnel is still usable");
    }

    @Test
    void s5_refused_byAcceptor_earlyDataDiscarded() throws Exception {
        Tunnels t = openServing(VmServer.listen(ECHO, c -> {
            throw new IllegalStateException("contract kit: this server refuses everything");
        }));
        await(t.dialer().awaitRemoteListen(ECHO), "LISTEN");
        VmConnection c = t.dialer().open(ECHO, null);
        c.write(ByteBuffer.wrap(new byte[5000]));
        assertReset(awaitFailure(c.established(), "a refused open"), ErrorCode.REFUSED);
        awaitFailure(c.closeFuture(), "the refused stream's close");
        assertTrue(on(t.acceptor().executor(), () -> t.acceptor().stats().streamsRefused(), "stats") >= 1);
        await(t.dialer().ping(), "the tunnel stays up");
    }

    @Test
    void s5_maxStreams_limitExceeded_thenFreedOnClose() throws Exception {
        int max = 8;
        List<VmConnection> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        VmServer s = server(ECHO, c -> {
            accepted.add(c);
            c.setHandler(Handlers.closeOnInputShutdown());
        });
        Tunnels t = open(options().build(), options().maxStreams(max).build(), null, tun -> tun.install(s));
        List<VmConnection> open = new ArrayList<>();
        for (int i = 0; i < max; i++) {
            open.add(await(t.dialer().connect(ECHO), "stream " + i + " of " + max));
        }
        assertReset(awaitFailure(t.dialer().connect(ECHO), "stream " + (max + 1)), ErrorCode.LIMIT_EXCEEDED);
        VmConnection first = open.get(0);
        first.setHandler(Handlers.discard());
        first.close();
        await(first.closeFuture(), "the opener's side of a closed stream");
        await(accepted.get(0).closeFuture(), "the acceptor's side of a closed stream");
        await(t.dialer().connect(ECHO), "a stream once one was freed");
    }

    @Test
    void s5_blockingStreams_roundTrip() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        Payload request = Payload.random(random, scale().bulkBytes() / 2);
        Payload response = Payload.random(random, scale().bulkBytes() / 4);
        SplittableRandom serverPieces = random.split();
        SplittableRandom clientPieces = random.split();
        ExecutorService workers = Executors.newCachedThreadPool(r -> {
            Thread th = new Thread(r, "contract-blocking-worker");
            th.setDaemon(true);
            return th;
        });
        try {
            CompletableFuture<byte[]> serverGot = new CompletableFuture<>();
            Tunnels t = openServing(server(ECHO, c -> {
                InputStream in = c.inputStream();
                OutputStream out = c.outputStream();
                workers.execute(() -> {
                    try (in; out) {
                        serverGot.complete(sha256Of(in));
                        writeInPieces(out, response.bytes, serverPieces);
                    } catch (Throwable e) {
                        serverGot.completeExceptionally(e);
                    }
                });
            }));
            VmConnection c = await(t.dialer().connect(ECHO), "connect");
            CompletableFuture<byte[]> clientGot = CompletableFuture.supplyAsync(() -> {
                try (InputStream in = c.inputStream()) {
                    return sha256Of(in);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, workers);
            try (OutputStream out = c.outputStream()) {
                writeInPieces(out, request.bytes, clientPieces);
            }
            assertTrue(java.util.Arrays.equals(request.sha256, await(serverGot, "the server's read to EOF")));
            assertTrue(java.util.Arrays.equals(response.sha256, await(clientGot, "the client's read to EOF")));
            await(c.closeFuture(), "a clean close after both FINs");
        } finally {
            workers.shutdownNow();
        }
    }

    // ---- §6 flow control, §7 sending ----

    /**
     * One stream whose reader never reads holds at most its window at the receiver while 100 others
     * run to completion; it finishes once its reader resumes.
     */
    @Test
    void s6_slowReader_stallsOnlyItsStream() throws Exception {
        int window = 64 * 1024;
        VmAddress slowAddress = VmAddress.parse("[::5]:5");
        SplittableRandom random = new SplittableRandom(SEED);
        Payload bulk = Payload.random(random, Math.max(4 * window, scale().bulkBytes()));
        CompletableFuture<DuplexChecker> slowAtAcceptor = new CompletableFuture<>();
        List<CompletableFuture<Void>> fast = new java.util.concurrent.CopyOnWriteArrayList<>();
        int fastStreams = 100;
        Payload[] fastData = new Payload[fastStreams];
        for (int i = 0; i < fastStreams; i++) {
            fastData[i] = Payload.random(random, 64 * 1024);
        }
        VmServer servers = VmServer.builder().listen(ECHO).listen(slowAddress).acceptor(c -> {
            if (c.localAddress().equals(slowAddress)) {
                DuplexChecker slow = DuplexChecker.attach("slow reader", c, Payload.EMPTY, bulk, false);
                c.pauseReading();
                slowAtAcceptor.complete(slow);
            } else {
                int i = c.remoteAddress().port() - 1;
                fast.add(DuplexChecker.attach("fast " + i, c, Payload.EMPTY, fastData[i], false).done);
            }
        }).build();
        Tunnels t = open(options().build(),
                options().initialStreamWindow(window).maxStreamWindow(window).build(), null, // no growth
                tun -> tun.install(servers));
        VmConnection slow = await(t.dialer().connect(slowAddress), "the slow stream");
        DuplexChecker slowWriter = DuplexChecker.attach("slow writer", slow, bulk, Payload.EMPTY, false);
        DuplexChecker slowReader = await(slowAtAcceptor, "the slow stream accepted");
        for (int i = 0; i < fastStreams; i++) {
            VmConnection c = t.dialer().open(ECHO, VmAddress.of("::1", i + 1));
            fast.add(DuplexChecker.attach("fast opener " + i, c, fastData[i], Payload.EMPTY, false).done);
        }
        await(CompletableFuture.allOf(fast.toArray(CompletableFuture[]::new)), fastStreams + " fast streams");
        long handedToCarrier = on(t.dialer().executor(),
                () -> slowWriter.bytesQueued() - slow.pendingWriteBytes(), "the slow writer's progress");
        assertTrue(handedToCarrier <= window, "the slow stream sent " + handedToCarrier
                + " bytes, more than its window of " + window);
        assertEquals(0L, on(t.acceptor().executor(), slowReader::bytesReceived, "slow reader"),
                "a paused reader gets no data");
        assertFalse(slowWriter.done.isDone(), "the slow stream cannot have finished");

        slowReader.connection().resumeReading();
        await(slowWriter.done, "the slow stream after its reader resumed");
        await(slowReader.done, "the slow reader's side");
    }

    /**
     * In manual-consume mode the receiver is never handed more than the window unconsumed (window
     * growth is turned off, so the window is the initial one).
     */
    @Test
    void s6_manualConsume_neverMoreUnconsumedThanTheWindow() throws Exception {
        int window = 32 * 1024;
        Payload data = Payload.random(new SplittableRandom(SEED), scale().bulkBytes());
        ManualConsumer consumer = new ManualConsumer(window / 2);
        Tunnels t = open(options().build(),
                options().initialStreamWindow(window).maxStreamWindow(window).build(), null, // no growth
                tun -> tun.install(server(ECHO, c -> c.setHandler(consumer, false))));
        VmConnection c = await(t.dialer().connect(ECHO), "connect");
        DuplexChecker writer = DuplexChecker.attach("writer", c, data, Payload.EMPTY, false);
        assertTrue(java.util.Arrays.equals(data.sha256, await(consumer.digest, "all data consumed")));
        assertTrue(consumer.maxUnconsumed() <= window, "unconsumed reached " + consumer.maxUnconsumed()
                + " > window " + window);
        await(writer.done, "the writer's side");
    }

    @Test
    void s6_writability_falseAboveHighWaterMark_thenTrueAgain() throws Exception {
        CompletableFuture<VmConnection> accepted = new CompletableFuture<>();
        Tunnels t = open(options().streamWriteHighWaterMark(1024).build(), options().initialStreamWindow(4096).build(),
                null, tun -> tun.install(server(ECHO, c -> {
                    c.setHandler(Handlers.discard());
                    c.pauseReading();
                    accepted.complete(c);
                })));
        VmConnection c = await(t.dialer().connect(ECHO), "connect");
        CompletableFuture<Void> writableAgain = new CompletableFuture<>();
        c.setHandler(Handlers.onWritable(writableAgain));
        CompletableFuture<Void> written = on(t.dialer().executor(), () -> {
            CompletableFuture<Void> w = c.write(ByteBuffer.wrap(new byte[64 * 1024]));
            assertFalse(c.isWritable(), "64 KiB queued against a 4 KiB window and a 1 KiB high water mark");
            return w;
        }, "write");
        assertFalse(writableAgain.isDone());
        await(accepted, "accepted").resumeReading();
        await(writableAgain, "onWritabilityChanged with isWritable() true");
        await(written, "the write's completion");
    }

    @Test
    void s7_fragmentation_respectsThePeersMaxFramePayload() throws Exception {
        Payload data = Payload.random(new SplittableRandom(SEED), 256 * 1024);
        MaxChunkRecorder atAcceptor = new MaxChunkRecorder();
        Tunnels t = open(options().build(), options().maxFragmentSize(1024).build(), null,
                tun -> tun.install(server(ECHO, c -> c.setHandler(atAcceptor))));
        long framesBefore = on(t.acceptor().executor(), () -> t.acceptor().stats().framesReceived(), "stats");
        VmConnection c = await(t.dialer().connect(ECHO), "connect");
        await(c.write(ByteBuffer.wrap(data.bytes)), "one 256 KiB write");
        await(c.shutdownOutput(), "FIN");
        assertTrue(java.util.Arrays.equals(data.sha256, await(atAcceptor.digest, "all data")));
        assertTrue(atAcceptor.maxChunk() <= 1024, "a DATA payload of " + atAcceptor.maxChunk() + " > 1024");
        long frames = on(t.acceptor().executor(), () -> t.acceptor().stats().framesReceived(), "stats") - framesBefore;
        assertTrue(frames >= 256, "256 KiB in frames of at most 1 KiB needs at least 256 frames, got " + frames);
    }

    // ---- §8 liveness and shutdown ----

    @Test
    void s8_ping_measuresRtt() throws Exception {
        Tunnels t = open(options().build(), options().build(), null, null);
        List<CompletableFuture<Duration>> pings = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pings.add(t.dialer().ping());
            pings.add(t.acceptor().ping());
        }
        for (CompletableFuture<Duration> p : pings) {
            Duration rtt = await(p, "a PING's ACK");
            assertFalse(rtt.isNegative(), "rtt " + rtt);
            assertTrue(rtt.compareTo(Duration.ofSeconds(Waits.SECONDS)) < 0, "rtt " + rtt);
        }
        Duration smoothed = on(t.dialer().executor(), () -> t.dialer().stats().rtt(), "stats");
        assertNotNull(smoothed);
        assertFalse(smoothed.isNegative());
    }

    @Test
    void s8_gracefulGoaway_drainsStreams() throws Exception {
        SplittableRandom random = new SplittableRandom(SEED);
        Payload request = Payload.random(random, scale().bulkBytes() / 2);
        Payload response = Payload.random(random, scale().bulkBytes() / 4);
        CompletableFuture<DuplexChecker> atAcceptor = new CompletableFuture<>();
        Tunnels t = openServing(server(ECHO, c -> atAcceptor.complete(
                DuplexChecker.attach("acceptor", c, response, request, true))));
        VmConnection c = await(t.dialer().connect(ECHO), "connect");
        DuplexChecker opener = DuplexChecker.attach("opener", c, request, response, false);
        t.dialer().close(); // GOAWAY NO_ERROR while the stream is in progress
        assertFalse(on(t.dialer().executor(), t.dialer()::isOpen, "isOpen"), "a tunnel going away is not open");
        Throwable late = awaitFailure(t.dialer().connect(ECHO), "a connect after GOAWAY");
        assertInstanceOf(VmException.class, late);

        await(opener.done, "the stream in progress to finish after GOAWAY");
        await(await(atAcceptor, "accepted").done, "the acceptor's side");
        CloseReason d = await(t.dialer().closeFuture(), "the dialer's tunnel to close after draining");
        CloseReason a = await(t.acceptor().closeFuture(), "the acceptor's tunnel to close after draining");
        assertEquals(ErrorCode.NO_ERROR, d.code(), "dialer " + d);
        assertEquals(CloseReason.Origin.LOCAL, d.origin(), "dialer " + d);
        assertEquals(ErrorCode.NO_ERROR, a.code(), "acceptor " + a);
        assertEquals(CloseReason.Origin.REMOTE, a.origin(), "acceptor " + a);
        assertTrue(d.isGraceful() && a.isGraceful());
    }

    @Test
    void s8_abruptClose_failsStreamsWithCause() throws Exception {
        int n = 10;
        List<VmConnection> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        Tunnels t = openServing(server(ECHO, c -> {
            c.setHandler(Handlers.discard());
            c.pauseReading();
            accepted.add(c);
        }));
        List<VmConnection> opened = new ArrayList<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            VmConnection c = await(t.dialer().connect(ECHO), "connect " + i);
            opened.add(c);
            writes.add(c.write(ByteBuffer.wrap(new byte[1 << 20]))); // stuck behind the paused reader
        }
        assertEquals(n, accepted.size());
        t.dialer().close(ErrorCode.CANCELLED, "contract kit: abrupt close");

        for (VmConnection c : opened) {
            assertTunnelClosed(awaitFailure(c.closeFuture(), "a dialer stream"), ErrorCode.CANCELLED,
                    CloseReason.Origin.LOCAL);
        }
        for (CompletableFuture<Void> w : writes) {
            assertInstanceOf(VmException.class, awaitFailure(w, "a pending write"));
        }
        for (VmConnection c : accepted) {
            assertTunnelClosed(awaitFailure(c.closeFuture(), "an acceptor stream"), ErrorCode.CANCELLED,
                    CloseReason.Origin.REMOTE);
        }
        CloseReason d = await(t.dialer().closeFuture(), "the dialer's close");
        CloseReason a = await(t.acceptor().closeFuture(), "the acceptor's close");
        assertEquals(new CloseReason(ErrorCode.CANCELLED, CloseReason.Origin.LOCAL, d.detail()), d);
        assertEquals(ErrorCode.CANCELLED, a.code(), "acceptor " + a);
        assertEquals(CloseReason.Origin.REMOTE, a.origin(), "acceptor " + a);
        assertFalse(a.isGraceful());
    }

    /**
     * The carrier dies in the middle of transfers in both directions: every stream on both ends fails
     * with a {@link TunnelClosedException} whose reason is the carrier, and nothing hangs.
     */
    @Test
    void s8_carrierDropped_midTransfer_everyStreamFailsOnBothEnds() throws Exception {
        int n = 100;
        ByteCounter atAcceptor = new ByteCounter(1 << 20);
        ByteCounter atDialer = new ByteCounter(1 << 20);
        List<EndlessWriter> acceptorEnds = new java.util.concurrent.CopyOnWriteArrayList<>();
        Tunnels t = openServing(server(ECHO, c -> acceptorEnds.add(EndlessWriter.attach(c, atAcceptor))));
        List<EndlessWriter> dialerEnds = new ArrayList<>();
        List<VmConnection> conns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            VmConnection c = await(t.dialer().connect(ECHO), "connect " + i);
            conns.add(c);
            dialerEnds.add(EndlessWriter.attach(c, atDialer));
        }
        assertEquals(n, acceptorEnds.size());
        dialerEnds.forEach(EndlessWriter::start); // only now: opening streams behind bulk data is slow on slow links
        acceptorEnds.forEach(EndlessWriter::start);
        await(CompletableFuture.allOf(atAcceptor.reached, atDialer.reached), "1 MiB to flow each way");
        t.pair().killCarrier();

        for (EndlessWriter w : dialerEnds) {
            assertCarrierFailure(await(w.closed, "a dialer stream to fail"));
        }
        for (EndlessWriter w : acceptorEnds) {
            assertCarrierFailure(await(w.closed, "an acceptor stream to fail"));
        }
        for (VmConnection c : conns) {
            assertCarrierFailure(awaitFailure(c.closeFuture(), "a dialer stream's closeFuture"));
        }
        assertEquals(CloseReason.Origin.CARRIER, await(t.dialer().closeFuture(), "dialer close").origin());
        assertEquals(CloseReason.Origin.CARRIER, await(t.acceptor().closeFuture(), "acceptor close").origin());
        assertFalse(t.dialer().isOpen());
        assertInstanceOf(TunnelClosedException.class,
                awaitFailure(t.dialer().connect(ECHO), "a connect on a dead tunnel"));
    }
}
