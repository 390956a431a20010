package org.p2pvm.transport.grizzly;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
 * beyond the stream window, close and reset mapping, a filter failure.
 */
@Timeout(60)
class VmFilterChainTest {
    static final VmAddress ECHO = VmAddress.parse("[::99]:7777");

    /** The application's business filter, as in a normal Grizzly TCP echo server. */
    static final class EchoFilter extends BaseFilter {
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
    private VmTransport serverVm;
    private Tunnel tunnel;

    @BeforeEach
    void openTunnel() throws Exception {
        serverSide = Transports.get("grizzly");
        clientSide = Transports.get("grizzly");
        echo = new EchoFilter();
        serverVm = new VmTransport("echo");
        serverVm.setProcessor(lineChain(echo)); // the chain a TCP server would use, unchanged
        TransportServer bound = serverSide.bind(new InetSocketAddress("127.0.0.1", 0), TunnelOptions.defaults(),
                t -> t.install(serverVm.server(ECHO))).get(10, SECONDS);
        tunnel = clientSide.connect(bound.uri(), TunnelOptions.defaults()).get(10, SECONDS);
        tunnel.awaitRemoteListen(ECHO).get(10, SECONDS);
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
        VmTransport clientVm = new VmTransport("client");
        return clientVm.connect(tunnel, ECHO, lineChain(lines)).get(10, SECONDS);
    }

    @Test
    void theSameChainServesTcpAndVirtualConnections() throws Exception {
        // the chain object works on a plain TCPNIOTransport first
        EchoFilter tcpEcho = new EchoFilter();
        TCPNIOTransport tcp = TCPNIOTransportBuilder.newInstance().build();
        tcp.setProcessor(lineChain(tcpEcho));
        tcp.start();
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(tcp.bind(new InetSocketAddress("127.0.0.1", 0)).getLocalAddress());
            s.getOutputStream().write("over tcp\n".getBytes(StandardCharsets.UTF_8));
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("over tcp", r.readLine());
        } finally {
            tcp.shutdownNow();
        }
        // and over three virtual connections at once
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
        assertNotNull(echo.closed.poll(10, SECONDS));
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

    @Test
    void writabilityFollowsTheStream() throws Exception {
        LinesFilter client = new LinesFilter();
        Connection<SocketAddress> c = dial(client);
        assertTrue(c.canWrite());
        assertEquals(TunnelOptions.defaults().streamWriteHighWaterMark(), c.getMaxAsyncWriteQueueSize());
        // fill beyond the high water mark; notifyCanWrite fires once it drains
        String chunk = "y".repeat(64 * 1024);
        int sent = 0;
        while (c.canWrite() && sent < 1000) {
            c.write(chunk);
            sent++;
        }
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
        for (int i = 0; i < sent; i++) {
            assertEquals(chunk, client.lines.poll(30, SECONDS));
        }
        writable.get(10, SECONDS);
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
