package org.p2pvm.examples.echo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.engine.memory.MemoryTransport;
import org.p2pvm.spi.TransportConfig;

/** {@link EchoServer} and {@link EchoClient} against the real engine over the in-memory transport. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoTest {
    private static final VmAddress ECHO = VmAddress.parse("[::99]:11139");

    private final MemoryTransport memory = new MemoryTransport(TransportConfig.defaults());

    @AfterEach
    void closeTransport() {
        memory.close();
    }

    /** A memory link whose acceptor installs {@code server}; returns the dialer's tunnel once it sees the listen. */
    private Tunnel open(VmServer server) throws Exception {
        java.net.URI name = java.net.URI.create("memory:echo-test-" + java.util.UUID.randomUUID());
        memory.bind(name, TunnelOptions.defaults(), t -> t.install(server)).get(10, TimeUnit.SECONDS);
        Tunnel tunnel = memory.connect(name, TunnelOptions.defaults()).get(10, TimeUnit.SECONDS);
        tunnel.awaitRemoteListen(server.addresses().iterator().next()).get(10, TimeUnit.SECONDS);
        return tunnel;
    }

    private static EchoReport run(Tunnel tunnel, EchoClient.Settings settings) throws Exception {
        return new EchoClient(tunnel, ECHO, settings).run().get(50, TimeUnit.SECONDS);
    }

    @Test
    void thousandsOfConnectionsComeBackVerified() throws Exception {
        EchoServer server = new EchoServer(ECHO);
        Tunnel tunnel = open(server.vmServer());
        EchoReport r = run(tunnel, EchoClient.Settings.of(3000, 5000));
        assertTrue(r.allSucceeded(), r.toString());
        assertEquals(3000L * 5000, r.bytesVerified());
        assertEquals(r.bytesSent(), r.bytesVerified());
        assertEquals(3000, server.connections());
        assertEquals(3000L * 5000, server.bytesEchoed());
    }

    @Test
    void emptyTinyAndOddSizes() throws Exception {
        Tunnel tunnel = open(new EchoServer(ECHO).vmServer());
        for (long size : new long[] {0, 1, 16 * 1024 - 1, 100_003}) {
            EchoReport r = run(tunnel, new EchoClient.Settings(20, size, 4096, 64 * 1024));
            assertTrue(r.allSucceeded(), size + ": " + r);
            assertEquals(20 * size, r.bytesVerified());
        }
    }

    @Test
    void largeConnectionsWithASmallBudgetStayWithinIt() throws Exception {
        Tunnel tunnel = open(new EchoServer(ECHO).vmServer());
        EchoReport r = run(tunnel, new EchoClient.Settings(8, 3 << 20, 32 * 1024, 256 * 1024));
        assertTrue(r.allSucceeded(), r.toString());
        assertEquals(8L * (3 << 20), r.bytesVerified());
    }

    @Test
    void aChangedByteIsReportedWithItsOffset() throws Exception {
        VmServer corrupting = VmServer.listen(ECHO, conn -> conn.setHandler(new VmConnection.Handler() {
            long seen;

            @Override
            public void onData(VmConnection c, ByteBuffer data) {
                ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data).flip();
                if (seen <= 1000 && 1000 < seen + copy.remaining()) {
                    int i = (int) (1000 - seen);
                    copy.put(i, (byte) (copy.get(i) ^ 0x40));
                }
                seen += copy.remaining();
                c.write(copy);
            }

            @Override
            public void onInputShutdown(VmConnection c) {
                c.shutdownOutput();
            }
        }));
        EchoReport r = run(open(corrupting), EchoClient.Settings.of(3, 4000));
        assertEquals(3, r.failed(), r.toString());
        assertFalse(r.allSucceeded());
        assertTrue(r.failures().get(0).contains("echoed byte 1000 differs"), r.failures().toString());
    }

    @Test
    void aServerThatStopsEarlyFailsTheConnection() throws Exception {
        VmServer shortEcho = VmServer.listen(ECHO, conn -> conn.setHandler(new VmConnection.Handler() {
            @Override
            public void onData(VmConnection c, ByteBuffer data) {
                c.write(ByteBuffer.allocate(data.remaining()).put(data).flip());
                c.shutdownOutput();
            }
        }));
        EchoReport r = run(open(shortEcho), new EchoClient.Settings(2, 10_000, 1000, 100_000));
        assertEquals(2, r.failed(), r.toString());
        assertTrue(r.failures().get(0).contains("ended after 1000 of 10000 bytes")
                || r.failures().get(0).contains("of 10000 bytes"), r.failures().toString());
    }

    @Test
    void nothingListeningFailsEveryConnectionWithoutHanging() throws Exception {
        Tunnel tunnel = open(new EchoServer(VmAddress.parse("[::1]:7")).vmServer());
        EchoReport r = new EchoClient(tunnel, ECHO, EchoClient.Settings.of(50, 100)).run().get(30, TimeUnit.SECONDS);
        assertEquals(50, r.failed(), r.toString());
        assertTrue(r.failures().get(0).contains("REFUSED"), r.failures().toString());
        assertTrue(r.failures().size() <= EchoReport.MAX_FAILURES_KEPT);
    }

    @Test
    void aCutCarrierFailsEveryConnectionWithACause() throws Exception {
        Tunnel tunnel = open(new EchoServer(ECHO).vmServer());
        EchoClient client = new EchoClient(tunnel, ECHO, EchoClient.Settings.of(200, 1 << 20));
        CompletableFuture<EchoReport> run = client.run();
        while (client.progress().bytesVerified() < 1 << 20 && !run.isDone()) {
            Thread.onSpinWait();
        }
        memory.killLinks();
        EchoReport r = run.get(30, TimeUnit.SECONDS);
        assertTrue(r.failed() > 0, r.toString());
        assertEquals(200, r.succeeded() + r.failed());
        assertTrue(r.failures().get(0).contains("tunnel closed"), r.failures().toString());
    }

    @Test
    void theEchoServerStopsReadingWhileItsEchoCannotBeWritten() throws Exception {
        EchoServer server = new EchoServer(ECHO);
        Tunnel tunnel = open(server.vmServer());
        VmConnection conn = tunnel.connect(ECHO).get(10, TimeUnit.SECONDS);
        byte[] sent = new byte[8 << 20];
        new Random(3).nextBytes(sent);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try (OutputStream out = conn.outputStream()) {
                out.write(sent);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        // The client reads nothing yet: the echo piles up until the server pauses.
        while (server.bytesEchoed() < 512 * 1024) {
            Thread.onSpinWait();
        }
        // Held by the server or in flight = echoed minus read; bounded by the windows and high water marks.
        long bound = 4L << 20;
        byte[] received = new byte[sent.length];
        int got = 0;
        long worst = 0;
        try (InputStream in = conn.inputStream()) {
            int n;
            while ((n = in.read(received, got, Math.min(4096, received.length - got))) > 0) {
                worst = Math.max(worst, server.bytesEchoed() - got);
                got += n;
            }
        }
        writer.get(30, TimeUnit.SECONDS);
        assertEquals(sent.length, got);
        assertArrayEquals(sent, received);
        assertTrue(worst <= bound, "echoed but unread reached " + worst);
    }
}
