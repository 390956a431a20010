package org.p2pvm.transport.grizzly.internal;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.glassfish.grizzly.IOStrategy;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.nio.transport.TCPNIOServerConnection;
import org.glassfish.grizzly.nio.transport.TCPNIOTransport;
import org.glassfish.grizzly.nio.transport.TCPNIOTransportBuilder;
import org.glassfish.grizzly.strategies.SameThreadIOStrategy;
import org.glassfish.grizzly.strategies.WorkerThreadIOStrategy;
import org.glassfish.grizzly.utils.StringFilter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.p2pvm.transport.grizzly.internal.CarrierByteLevelTest.FakeEngine;

/**
 * Upgrade at byte level: an application's own line-based login chain, then the same socket becomes
 * a carrier; the bytes that followed the login line in the same segment reach the engine first.
 */
@Timeout(30)
class UpgradeByteLevelTest {

    /** The application's business filter: answers the login line, then upgrades. */
    static final class LoginFilter extends BaseFilter {
        private final CarrierBinding binding;

        LoginFilter(CarrierBinding binding) {
            this.binding = binding;
        }

        @Override
        public NextAction handleRead(FilterChainContext ctx) {
            String line = ctx.getMessage();
            if (!line.equals("LOGIN bob")) {
                ctx.write("DENIED");
                return ctx.getStopAction();
            }
            ctx.write("OK"); // StringFilter appends the line terminator
            Upgrader.upgrade(ctx, false, binding, 1 << 20);
            return ctx.getStopAction();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"worker-thread", "same-thread"})
    void loginLineThenUpgradeOnTheSameSocketKeepsBytesOfTheSameSegment(String strategy) throws Exception {
        IOStrategy io = strategy.equals("worker-thread") ? WorkerThreadIOStrategy.getInstance() : SameThreadIOStrategy.getInstance();
        TCPNIOTransport app = TCPNIOTransportBuilder.newInstance().setIOStrategy(io).build();
        FakeEngine engine = new FakeEngine();
        CarrierBinding binding = carrier -> {
            engine.carrier.complete(carrier);
            carrier.write(new ByteBuffer[] {ByteBuffer.wrap("WELCOME".getBytes(StandardCharsets.US_ASCII))}, 1, f -> { });
            return engine;
        };
        app.setProcessor(FilterChainBuilder.stateless()
                .add(new TransportFilter())
                .add(new StringFilter(StandardCharsets.UTF_8, "\n"))
                .add(new LoginFilter(binding))
                .build());
        app.start();
        try {
            TCPNIOServerConnection server = app.bind(new InetSocketAddress("127.0.0.1", 0));
            try (Socket s = new Socket()) {
                s.connect(server.getLocalAddress());
                s.setSoTimeout(20_000);
                // login line and the first tunnel bytes in one segment; the tunnel bytes contain '\n'
                byte[] hello = {'H', 'E', 'L', 'L', 'O', '\n', 0, (byte) 0xFF, 'x', '\n'};
                ByteArrayOutputStream segment = new ByteArrayOutputStream();
                segment.write("LOGIN bob\n".getBytes(StandardCharsets.UTF_8));
                segment.write(hello);
                OutputStream out = s.getOutputStream();
                out.write(segment.toByteArray());
                out.flush();
                byte[] reply = new byte["OK\nWELCOME".length()];
                new DataInputStream(s.getInputStream()).readFully(reply);
                assertEquals("OK\nWELCOME", new String(reply, StandardCharsets.US_ASCII));
                out.write("MORE".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                ByteArrayOutputStream expected = new ByteArrayOutputStream();
                expected.write(hello);
                expected.write("MORE".getBytes(StandardCharsets.US_ASCII));
                while (engine.bytes().length < expected.size()) {
                    Thread.onSpinWait();
                }
                assertArrayEquals(expected.toByteArray(), engine.bytes());
                assertEquals(List.of(), engine.violations);
                s.shutdownOutput(); // the peer's FIN reaches the engine as an orderly close
                engine.closed.get(10, SECONDS);
            }
        } finally {
            app.shutdownNow();
        }
    }
}
