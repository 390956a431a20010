package org.p2pvm.transport.grizzly;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import org.glassfish.grizzly.CloseReason;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.IOEvent;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.utils.StringFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.ErrorCode;
import org.p2pvm.StreamResetException;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * An application's unchanged Grizzly chain ({@code TransportFilter} + {@code StringFilter} + echo
 * filter) over virtual connections of a real grizzly↔grizzly tunnel, on both ends: reads, writes
 * beyond the stream window, writability and paused reading, close and reset mapping, a filter failure.
 */
@Timeout(60)
class VmFilterChainTest {
    static final VmAddress ECHO = VmAddress.parse("[::99]:7777");
    /** An echo service whose connections start with READ interest off. */
    static final VmAddress PAUSED = VmAddress.parse("[::99]:7778");
    /** An echo service that suspends the read context of a "HOLD" line. */
    static final VmAddress HOLDING = VmAddress.parse("[::99]:7779");

    /** The application's business filter, as in a normal Grizzly TCP echo server. */
    static class EchoFilter extends BaseFilter {
        final BlockingQueue<Connection<?>> closed = new LinkedBlockingQueue<>();

        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            String line = ctx.getMessage();
            if (line.equals("BOOM")) {
                throw new IOException("the application failed");
            }
            ctx.write(line);
            return ctx.getStopAction();
        }

        @Override
        public NextAction handleClose(FilterChainContext ctx) {
            closed.add(ctx.getConnection());
            return ctx.getStopAction();
        }
    }

    /**
     * An echo filter that stops reading, the two ways a Grizzly application does: READ interest off
     * from {@code handleAccept} ({@code pauseOnAccept}), or suspending the read context of a "HOLD"
     * line (as a filter that goes asynchronous does).
     */
    static final class HoldingEcho extends EchoFilter {
        final boolean pauseOnAccept;
        final CompletableFuture<Connection<?>> accepted = new CompletableFuture<>();
        final CompletableFuture<FilterChainContext> held = new CompletableFuture<>();
        /** Lines that reached this filter. */
        final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

        HoldingEcho(boolean pauseOnAccept) {
            this.pauseOnAccept = pauseOnAccept;
        }

        @Override
        public NextAction handleAccept(FilterChainContext ctx) throws IOException {
            if (pauseOnAccept) {
                ctx.getConnection().disableIOEvent(IOEvent.READ);
            }
            accepted.complete(ctx.getConnection());
            return ctx.getInvokeAction();
        }

        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            reads.incrementAndGet();
            if ("HOLD".equals(ctx.getMessage())) {
                ctx.suspend();
                held.complete(ctx);
                return ctx.getSuspendAction();
            }
            return super.handleRead(ctx);
        }
    }

    /** The application's client filter: collects lines. */
    static final class LinesFilter extends BaseFilter {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final CompletableFuture<Connection<?>> closed = new CompletableFuture<>();

        @Override
        public NextAction handleRead(FilterChainContext ctx) {
            lines.add(ctx.getMessage());
            return ctx.getStopAction();
        }

        @Override
        public NextAction handleClose(FilterChainContext ctx) {
            closed.complete(ctx.getConnection());
            return ctx.getStopAction();
        }
    }

    static FilterChain lineChain(BaseFilter business) {
        return FilterChainBuilder.stateless()
                .add(new TransportFilter())
                .add(new StringFilter(StandardCharsets.UTF_8, "\n"))
                .add(business)
                .build();
    }

    private Transport serverSide;
    private Transport clientSide;
    private EchoFilter echo;
    /** The server's chain, as a TCP server would build it; the TCP case serves it too. */
    private FilterChain serverChain;
    private VmTransport serverVm;
    private HoldingEcho pausedEcho;
    private HoldingEcho holdingEcho;
    private Tunnel tunnel;

    @BeforeEach
    void openTunnel() throws Exception {
        serverSide = Transports.get("grizzly");
        clientSide = Transports.get("grizzly");
        echo = new EchoFilter();
        serverChain = lineChain(echo);
        serverVm = new VmTransport("echo");
        serverVm.setProcessor(serverChain); // the chain a TCP server would use, unchanged
        pausedEcho = new HoldingEcho(true);
        VmTransport pausedVm = new VmTransport("paused-echo");
        pausedVm.setProcessor(lineChain(pausedEcho));
        holdingEcho = new HoldingEcho(false);
        VmTransport holdingVm = new VmTransport("holding-echo");
        holdingVm.setProcessor(lineChain(holdingEcho));
        TransportServer bound = serverSide.bind(new InetSocketAddress("127.0.0.1", 0), TunnelOptions.defaults(), t -> {
            t.install(serverVm.server(ECHO));
            t.install(pausedVm.server(PAUSED));
            t.install(holdingVm.server(HOLDING));
        }).get(10, SECONDS);
        tunnel = clientSide.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS);
        tunnel.awaitRemoteListen(ECHO).get(10, SECONDS);
        tunnel.awaitRemoteListen(PAUSED).get(10, SECONDS);
        tunnel.awaitRemoteListen(HOLDING).get(10, SECONDS);
    }

    @AfterEach
    void close() {
        if (tunnel != null) {
            tunnel.close(ErrorCode.CANCELLED, "test over"); // abrupt: no drain of the streams left open
        }
        clientSide.close();
        serverSide.close();
    }

    private Connection<SocketAddress> dial(LinesFilter lines) throws Exception {
        return dial(ECHO, lines);
    }

    private Connection<SocketAddress> dial(VmAddress service, LinesFilter lines) throws Exception {
        VmTransport clientVm = new VmTransport("client");
        return clientVm.connect(tunnel, service, lineChain(lines)).get(10, SECONDS);
    }

    @Test
    void theSameChainServesTcpAndVirtualConnections() throws Exception {
        // the very chain object the VmTransport runs also serves a plain TCPNIOTransport
        TCPNIOTransport tcp = TCPNIOTransportBuilder.newInstance().build();
        tcp.setProcessor(serverChain);
        assertSame(serverVm.getProcessor(), tcp.getProcessor());
        tcp.start();
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(tcp.bind(new InetSocketAddress("127.0.0.1", 0)).getLocalAddress());
            s.getOutputStream().write("over tcp\n".getBytes(StandardCharsets.UTF_8));
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("over tcp", r.readLine());
            // and, while the TCP connection stays open, over three virtual connections at once
            servesVirtualConnections();
            s.getOutputStream().write("still tcp\n".getBytes(StandardCharsets.UTF_8));
            assertEquals("still tcp", r.readLine());
        } finally {
            tcp.shutdownNow();
        }
    }

    private void servesVirtualConnections() throws Exception {
        LinesFilter[] clients = {new LinesFilter(), new LinesFilter(), new LinesFilter()};
        java.util.List<Connection<SocketAddress>> conns = new java.util.ArrayList<>();
        for (int i = 0; i < clients.length; i++) {
            conns.add(dial(clients[i]));
            InetSocketAddress peer = (InetSocketAddress) conns.get(i).getPeerAddress();
            assertEquals(ECHO, VmAddresses.fromSocketAddress(peer)); // IPv6 virtual addresses
        }
        for (int n = 0; n < 50; n++) {
            for (int i = 0; i < clients.length; i++) {
                conns.get(i).write("line " + n + " of " + i);
            }
        }
        for (int i = 0; i < clients.length; i++) {
            for (int n = 0; n < 50; n++) {
                assertEquals("line " + n + " of " + i, clients[i].lines.poll(10, SECONDS));
            }
        }
        // close maps to FIN: the server's handleClose fires, then the client's
        conns.get(0).close().get(10, SECONDS);
        assertFalse(conns.get(0).isOpen());
        Connection<?> serverClosed = echo.closed.poll(10, SECONDS);
        assertNotNull(serverClosed);
        assertSame(serverVm, serverClosed.getTransport()); // the TCP connection is still open
        assertEquals(conns.get(0).getLocalAddress(), serverClosed.getPeerAddress());
        assertNotNull(clients[0].closed.get(10, SECONDS));
    }

    @Test
    void aLineLargerThanTheStreamWindowEchoes() throws Exception {
        LinesFilter client = new LinesFilter();
        Connection<SocketAddress> c = dial(client);
        String big = "x".repeat(1024 * 1024); // > 256 KiB window and high water mark
        CompletableFuture<Void> written = new CompletableFuture<>();
        c.write(big, new org.glassfish.grizzly.EmptyCompletionHandler<org.glassfish.grizzly.WriteResult<String, SocketAddress>>() {
            @Override
            public void completed(org.glassfish.grizzly.WriteResult<String, SocketAddress> result) {
                written.complete(null);
            }

            @Override
            public void failed(Throwable t) {
                written.completeExceptionally(t);
            }
        });
        assertEquals(big, client.lines.poll(30, SECONDS));
        written.get(10, SECONDS);
    }

    /**
     * Chunks to write so that, with the peer not reading, more than the high water mark stays queued
     * whatever the writer already sent: the stream window plus the high water mark, plus one.
     */
    private static int chunksToStall(int chunk) {
        TunnelOptions o = TunnelOptions.defaults();
        return (o.initialStreamWindow() + o.streamWriteHighWaterMark()) / chunk + 1;
    }

    /**
     * Writes {@code n} chunks on the connection's event thread, as a filter writes from handleRead, and
     * returns {@code canWrite()} right after them. From another thread a write reaches the stream's
     * queue only when the tunnel's executor runs it, so canWrite() there would lag behind.
     */
    private static boolean writeOnEventThread(Connection<SocketAddress> c, String chunk, int n) throws Exception {
        CompletableFuture<Boolean> canWrite = new CompletableFuture<>();
        c.executeInEventThread(IOEvent.WRITE, () -> {
            for (int i = 0; i < n; i++) {
                c.write(chunk);
            }
            canWrite.complete(c.canWrite());
        });
        return canWrite.get(10, SECONDS);
    }

    /**
     * A round trip on another stream of the same tunnel. Frames cross the carrier in order and the
     * server delivers a stream's data as it reads its frame, so afterwards the server has handled all
     * data this end handed to the carrier before.
     */
    private void roundTripOnAnotherStream() throws Exception {
        LinesFilter other = new LinesFilter();
        dial(ECHO, other).write("barrier");
        assertEquals("barrier", other.lines.poll(10, SECONDS));
    }

    /** Registers a write handler and returns a future completed by onWritePossible. */
    private static CompletableFuture<Void> whenWritable(Connection<SocketAddress> c) {
        CompletableFuture<Void> writable = new CompletableFuture<>();
        c.notifyCanWrite(new org.glassfish.grizzly.WriteHandler() {
            @Override
            public void onWritePossible() {
                writable.complete(null);
            }

            @Override
            public void onError(Throwable t) {
                writable.completeExceptionally(t);
            }
        });
        return writable;
    }

    @Test
    void writabilityFollowsTheStream() throws Exception {
        LinesFilter client = new LinesFilter();
        Connection<SocketAddress> c = dial(PAUSED, client);
        Connection<?> server = pausedEcho.accepted.get(10, SECONDS); // READ interest is off over there
        assertTrue(c.canWrite());
        assertEquals(TunnelOptions.defaults().streamWriteHighWaterMark(), c.getMaxAsyncWriteQueueSize());
        String chunk = "y".repeat(64 * 1024);
        int sent = chunksToStall(chunk.length() + 1); // + the StringFilter's "\n"
        c.write(chunk).get(10, SECONDS); // within the window: the carrier took it
        assertFalse(writeOnEventThread(c, chunk, sent - 1));
        roundTripOnAnotherStream();
        assertEquals(0, pausedEcho.reads.get(), "the server read with READ interest off");
        // the peer returns no credit, so more than the high water mark stays queued here
        assertFalse(c.canWrite());
        CompletableFuture<Void> writable = whenWritable(c);
        assertFalse(writable.isDone(), "writable while the peer does not read");
        server.enableIOEvent(IOEvent.READ); // the peer reads: credit returns, the queue drains
        for (int i = 0; i < sent; i++) {
            assertEquals(chunk, client.lines.poll(30, SECONDS));
        }
        writable.get(10, SECONDS);
        assertTrue(c.canWrite());
    }

    @Test
    void aSuspendedReadContextPausesReading() throws Exception {
        LinesFilter client = new LinesFilter();
        Connection<SocketAddress> c = dial(HOLDING, client);
        c.write("HOLD");
        FilterChainContext held = holdingEcho.held.get(10, SECONDS);
        String chunk = "z".repeat(64 * 1024);
        int sent = chunksToStall(chunk.length() + 1);
        c.write(chunk).get(10, SECONDS); // within the window: the carrier took it
        assertFalse(writeOnEventThread(c, chunk, sent - 1));
        roundTripOnAnotherStream();
        assertEquals(1, holdingEcho.reads.get(), "the server read past the suspended HOLD line");
        // the suspended context stops reading: no credit returns, so the writer stays blocked
        assertFalse(c.canWrite());
        CompletableFuture<Void> writable = whenWritable(c);
        assertFalse(writable.isDone(), "writable while the peer's read context is suspended");
        // resume on the connection's event thread, where Grizzly would resume a read context
        held.getConnection().executeInEventThread(IOEvent.READ, () -> held.resume(held.getStopAction()));
        for (int i = 0; i < sent; i++) {
            assertEquals(chunk, client.lines.poll(30, SECONDS));
        }
        writable.get(10, SECONDS);
        assertTrue(c.canWrite());
    }

    @Test
    void terminateResetsTheStreamAndTheServerSeesItsClose() throws Exception {
        LinesFilter client = new LinesFilter();
        Connection<SocketAddress> c = dial(client);
        c.write("hello");
        assertEquals("hello", client.lines.poll(10, SECONDS));
        c.terminateSilently();
        Connection<?> server = echo.closed.poll(10, SECONDS);
        assertNotNull(server);
        CloseReason reason = server.getCloseReason();
        assertNotNull(reason.getCause(), "a reset is not an orderly close");
    }

    @Test
    void aFailingFilterResetsItsStream() throws Exception {
        LinesFilter client = new LinesFilter();
        Connection<SocketAddress> c = dial(client);
        c.write("BOOM");
        assertNotNull(client.closed.get(10, SECONDS));
        Throwable cause = c.getCloseReason().getCause();
        assertTrue(cause != null && (cause instanceof StreamResetException || cause.getCause() instanceof StreamResetException),
                String.valueOf(cause));
        // the tunnel and other connections go on
        LinesFilter other = new LinesFilter();
        dial(other).write("still here");
        assertEquals("still here", other.lines.poll(10, SECONDS));
    }
}
