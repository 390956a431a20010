package org.p2pvm.transport.grizzly;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.EmptyCompletionHandler;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOConnectorHandler;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.utils.StringFilter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;

/**
 * Pre-link with the real engine on both ends: two ordinary Grizzly applications (default
 * worker-thread IO strategy, line protocol with StringFilter) log in, then both upgrade the same TCP
 * connection into a tunnel. The server writes its OK and its HELLO back to back, so the client's
 * StringFilter holds the HELLO as a remainder when the client upgrades.
 */
@Timeout(60)
@SuppressWarnings("rawtypes") // Grizzly's connector hands out raw Connections
class GrizzlyUpgradeTest {
    static final TunnelOptions OPTIONS = TunnelOptions.builder().authToken("s3cret").build();

    private TCPNIOTransport serverApp;
    private TCPNIOTransport clientApp;
    private final CompletableFuture<Tunnel> serverTunnel = new CompletableFuture<>();

    /** The server application's login filter. */
    final class ServerLogin extends BaseFilter {
        @Override
        public NextAction handleRead(FilterChainContext ctx) {
            String line = ctx.getMessage();
            if (!line.equals("LOGIN alice")) {
                ctx.write("DENIED");
                return ctx.getStopAction();
            }
            ctx.write("OK");
            GrizzlyUpgrade.acceptor(ctx, OPTIONS, t -> t.install(GrizzlyTransportTest.echoServer()))
                    .whenComplete((t, e) -> {
                        if (e != null) {
                            serverTunnel.completeExceptionally(e);
                        } else {
                            serverTunnel.complete(t);
                        }
                    });
            return ctx.getStopAction();
        }
    }

    /** The client application's login filter: sends the login, upgrades on OK. */
    static final class ClientLogin extends BaseFilter {
        final String user;
        final CompletableFuture<Tunnel> tunnel = new CompletableFuture<>();
        final CompletableFuture<String> refusal = new CompletableFuture<>();

        ClientLogin(String user) {
            this.user = user;
        }

        @Override
        public NextAction handleConnect(FilterChainContext ctx) {
            ctx.write("LOGIN " + user);
            return ctx.getInvokeAction();
        }

        @Override
        public NextAction handleRead(FilterChainContext ctx) {
            String line = ctx.getMessage();
            if (line.equals("OK")) {
                GrizzlyUpgrade.dialer(ctx, OPTIONS, null).whenComplete((t, e) -> {
                    if (e != null) {
                        tunnel.completeExceptionally(e);
                    } else {
                        tunnel.complete(t);
                    }
                });
            } else {
                refusal.complete(line);
            }
            return ctx.getStopAction();
        }
    }

    @BeforeEach
    void start() throws Exception {
        serverApp = TCPNIOTransportBuilder.newInstance().build();
        serverApp.setProcessor(FilterChainBuilder.stateless().add(new TransportFilter())
                .add(new StringFilter(StandardCharsets.UTF_8, "\n")).add(new ServerLogin()).build());
        serverApp.start();
        clientApp = TCPNIOTransportBuilder.newInstance().build();
        clientApp.start();
    }

    @AfterEach
    void stop() throws Exception {
        clientApp.shutdownNow();
        serverApp.shutdownNow();
    }

    private ClientLogin login(String user) throws Exception {
        InetSocketAddress server = (InetSocketAddress) serverApp.bind(new InetSocketAddress("127.0.0.1", 0)).getLocalAddress();
        ClientLogin login = new ClientLogin(user);
        CompletableFuture<Connection> connected = new CompletableFuture<>();
        TCPNIOConnectorHandler.builder(clientApp)
                .processor(FilterChainBuilder.stateless().add(new TransportFilter())
                        .add(new StringFilter(StandardCharsets.UTF_8, "\n")).add(login).build())
                .build().connect(server, new EmptyCompletionHandler<Connection>() {
                    @Override
                    public void completed(Connection c) {
                        connected.complete(c);
                    }

                    @Override
                    public void failed(Throwable t) {
                        connected.completeExceptionally(t);
                    }
                });
        connected.get(10, SECONDS);
        return login;
    }

    @Test
    void loginThenUpgradeTurnsTheSameSocketIntoATunnel() throws Exception {
        ClientLogin login = login("alice");
        Tunnel client = login.tunnel.get(20, SECONDS);
        Tunnel server = serverTunnel.get(20, SECONDS);
        assertTrue(client.isDialer());
        assertFalse(server.isDialer());
        assertEquals(client.carrierLocalAddress(), server.carrierRemoteAddress()); // the same TCP connection
        client.awaitRemoteListen(GrizzlyTransportTest.ECHO).get(10, SECONDS);
        GrizzlyTransportTest.echo(client, 1000);
        GrizzlyTransportTest.echo(client, 2 * 1024 * 1024);
        client.close();
        server.closeFuture().get(20, SECONDS);
    }

    @Test
    void aRefusedLoginStaysAnOrdinaryConnection() throws Exception {
        ClientLogin login = login("mallory");
        assertEquals("DENIED", login.refusal.get(10, SECONDS));
        assertFalse(login.tunnel.isDone());
        assertFalse(serverTunnel.isDone());
    }
}
