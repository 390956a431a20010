package org.p2pvm.examples.grizzly;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.nio.transport.TCPNIOConnectorHandler;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.transport.grizzly.GrizzlyUpgrade;
import org.p2pvm.transport.grizzly.VmTransport;

/**
 * The three migration steps of docs/MIGRATION.md (Grizzly part), in one runnable process:
 *
 * <ol>
 *   <li><b>Pre-link.</b> The application's own Grizzly TCP server accepts a connection and runs its
 *       own login exchange (a line, "LOGIN alice"); after "OK" both ends turn that same socket into
 *       a tunnel with {@link GrizzlyUpgrade}.
 *   <li><b>IPv6 virtual addresses.</b> The echo service that listened on TCP port 7777 now listens on
 *       the virtual address {@code [::99]:7777}; the client names it as before, with an
 *       {@link InetSocketAddress} — now an IPv6 literal inside the tunnel.
 *   <li><b>VM base classes.</b> {@code TCPNIOTransport} becomes {@link VmTransport}; the echo chain
 *       ({@link EchoChains}) is not changed at all.
 * </ol>
 *
 * Run: {@code java -cp examples/target/p2pvm.jar org.p2pvm.examples.grizzly.GrizzlyMigrationExample}
 */
public final class GrizzlyMigrationExample {
    static final TunnelOptions OPTIONS = TunnelOptions.builder().authToken("change-me").build();
    static final VmAddress ECHO = VmAddress.parse("[::99]:7777");

    private GrizzlyMigrationExample() {
    }

    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /** Runs the three steps once, printing each to {@code out}; returns when the tunnel is closed. */
    static void run(PrintStream out) throws Exception {
        // step 3 (server side): the echo chain, unchanged, on a VmTransport instead of a TCPNIOTransport
        VmTransport echoVm = new VmTransport("echo");
        echoVm.setProcessor(EchoChains.server());

        // the application's existing TCP server with its login filter (step 1: it upgrades)
        TCPNIOTransport serverApp = TCPNIOTransportBuilder.newInstance().build();
        serverApp.setProcessor(EchoChains.lines(new ServerLogin(echoVm)));
        serverApp.start();
        TCPNIOTransport clientApp = TCPNIOTransportBuilder.newInstance().build();
        clientApp.start();
        try {
            SocketAddress server = serverApp.bind(new InetSocketAddress("127.0.0.1", 0)).getLocalAddress();
            out.println("login server on tcp:/" + server);

            ClientLogin login = new ClientLogin("alice");
            TCPNIOConnectorHandler.builder(clientApp).processor(EchoChains.lines(login)).build()
                    .connect(server, new EmptyCompletionHandler<Connection>());
            Tunnel tunnel = login.tunnel.get(10, SECONDS);
            out.println("logged in; the same socket is now a tunnel " + tunnel.carrierLocalAddress()
                    + " -> " + tunnel.carrierRemoteAddress());

            // step 2: the client still names its server with an InetSocketAddress, now a virtual IPv6 one
            tunnel.awaitRemoteListen(ECHO).get(10, SECONDS);
            EchoChains.CollectFilter replies = new EchoChains.CollectFilter();
            VmTransport clientVm = new VmTransport("echo-client");    // was: TCPNIOTransportBuilder...build()
            clientVm.setProcessor(EchoChains.lines(replies));           // the client chain, unchanged
            Connection<SocketAddress> echo =                            // was: transport.connect(host, 7777)
                    clientVm.connect(tunnel, new InetSocketAddress("::99", 7777)).get(10, SECONDS);
            out.println("virtual connection " + echo.getLocalAddress() + " -> " + echo.getPeerAddress());
            for (String line : new String[] {"hello", "grizzly", "over a tunnel"}) {
                echo.write(line);
                out.println("  sent '" + line + "', got '" + replies.lines.poll(10, SECONDS) + "'");
            }
            echo.close().get(10, SECONDS);
            tunnel.close();
            tunnel.closeFuture().get(10, SECONDS);
            out.println("done");
        } finally {
            clientApp.shutdownNow();
            serverApp.shutdownNow();
        }
    }

    /** The server application's login filter: on a good login, answer OK and upgrade. */
    static final class ServerLogin extends BaseFilter {
        private final VmTransport echo;

        ServerLogin(VmTransport echo) {
            this.echo = echo;
        }

        @Override
        public NextAction handleRead(FilterChainContext ctx) {
            String line = ctx.getMessage();
            if (!line.startsWith("LOGIN ")) {
                ctx.write("DENIED");
                return ctx.getStopAction();
            }
            ctx.write("OK");
            GrizzlyUpgrade.acceptor(ctx, OPTIONS, tunnel -> tunnel.install(echo.server(ECHO)));
            return ctx.getStopAction();
        }
    }

    /** The client application's login filter: log in, upgrade on OK. */
    static final class ClientLogin extends BaseFilter {
        final String user;
        final CompletableFuture<Tunnel> tunnel = new CompletableFuture<>();

        ClientLogin(String user) {
            this.user = user;
        }

        @Override
        public NextAction handleConnect(FilterChainContext ctx) {
            ctx.write("LOGIN " + user);
            return ctx.getInvokeAction();
        }

        @Override
        public NextAction handleRead(FilterChainContext ctx) throws IOException {
            String line = ctx.getMessage();
            if (!line.equals("OK")) {
                tunnel.completeExceptionally(new IOException("login refused: " + line));
                return ctx.getStopAction();
            }
            GrizzlyUpgrade.dialer(ctx, OPTIONS, null).whenComplete((t, e) -> {
                if (e != null) {
                    tunnel.completeExceptionally(e);
                } else {
                    tunnel.complete(t);
                }
            });
            return ctx.getStopAction();
        }
    }

    static {
        // keep the example's output readable
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        java.util.logging.Logger.getLogger("org.glassfish.grizzly").setLevel(java.util.logging.Level.WARNING);
    }
}
