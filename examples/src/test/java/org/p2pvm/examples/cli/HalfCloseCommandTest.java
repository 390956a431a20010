package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Half close and reset through {@code serve --forward} and {@code connect --local}, with a plain
 * TCP server socket of the test as the real target: a FIN from either end arrives at the other end
 * after every byte sent before it while the other direction keeps working, and a TCP reset on either
 * end arrives at the other as a reset (an error on read), never as a clean end of stream.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HalfCloseCommandTest {
    private static final String LISTENING = "listening on (tcp://127\\.0\\.0\\.1:\\d+) \\(nio\\)";
    private static final String LOCAL = "local listener (127\\.0\\.0\\.1:\\d+) -> ";
    private static final int BIG = 300 * 1024;

    private ServerSocket target;
    private RunningCommand serve;
    private RunningCommand connect;
    private InetSocketAddress local;

    @BeforeEach
    void start() throws Exception {
        target = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        target.setSoTimeout(30_000);
        serve = RunningCommand.start("serve", "serve", "--transport", "nio", "--bind", "127.0.0.1:0", "--forward",
                "[::10]:80=127.0.0.1:" + target.getLocalPort());
        String uri = serve.await(LISTENING).group(1);
        connect = RunningCommand.start("connect", "connect", "--transport", "nio", "--peer", uri, "--local",
                "127.0.0.1:0=[::10]:80");
        String hp = connect.await(LOCAL).group(1);
        connect.await("tunnel ready");
        int c = hp.lastIndexOf(':');
        local = new InetSocketAddress(hp.substring(0, c), Integer.parseInt(hp.substring(c + 1)));
    }

    @AfterEach
    void stop() throws Exception {
        try (ServerSocket t = target; RunningCommand s = serve; RunningCommand c = connect) {
            // closed in reverse order: connect, serve, target
        }
    }

    private Socket client() throws IOException {
        Socket s = new Socket();
        s.connect(local, 10_000);
        s.setSoTimeout(30_000);
        return s;
    }

    /** The forward dials the target when the virtual connection arrives: take that socket. */
    private Socket accepted() throws IOException {
        Socket s = target.accept();
        s.setSoTimeout(30_000);
        return s;
    }

    @Test
    void targetHalfClosesFirst_clientSeesEofAfterTheBytesAndCanStillSendEverything() throws Exception {
        byte[] rest = random(BIG, 1);
        try (Socket client = client(); Socket server = accepted()) {
            server.getOutputStream().write("greeting".getBytes(StandardCharsets.US_ASCII));
            server.shutdownOutput();

            assertEquals("greeting", new String(readToEnd(client.getInputStream()), StandardCharsets.US_ASCII),
                    "the client reads the bytes, then a clean EOF");

            // Its input is at EOF; its output still goes through to the target.
            client.getOutputStream().write(rest);
            client.shutdownOutput();
            assertArrayEquals(rest, readToEnd(server.getInputStream()), "what the target got after its own FIN");
        }
    }

    @Test
    void clientHalfClosesFirst_targetReadsToEofAndItsAnswerStillComesBack() throws Exception {
        byte[] request = random(BIG, 2);
        try (Socket client = client(); Socket server = accepted()) {
            client.getOutputStream().write(request);
            client.shutdownOutput();

            byte[] got = readToEnd(server.getInputStream());
            assertArrayEquals(request, got, "the request up to the client's FIN");
            byte[] answer = random(BIG, 3);
            server.getOutputStream().write(answer);
            server.shutdownOutput();

            assertArrayEquals(answer, readToEnd(client.getInputStream()), "the answer sent after the FIN arrived");
        }
    }

    @Test
    void aResetByTheTargetReachesTheClientAsAReset() throws Exception {
        try (Socket client = client(); Socket server = accepted()) {
            server.getOutputStream().write("partial".getBytes(StandardCharsets.US_ASCII));
            byte[] first = client.getInputStream().readNBytes(7);
            assertEquals("partial", new String(first, StandardCharsets.US_ASCII));
            reset(server);

            assertThrows(SocketException.class, () -> readToEnd(client.getInputStream()),
                    () -> "the client must see an error, not a clean EOF that looks like a complete answer\n" + serve.text()
                            + connect.text());
            serve.await("aborted \\(TCP to virtual\\)");
            connect.await("aborted \\(virtual to TCP\\): stream reset");
        }
    }

    @Test
    void aResetByTheClientReachesTheTargetAsAReset() throws Exception {
        try (Socket client = client(); Socket server = accepted()) {
            client.getOutputStream().write("partial".getBytes(StandardCharsets.US_ASCII));
            byte[] first = server.getInputStream().readNBytes(7);
            assertEquals("partial", new String(first, StandardCharsets.US_ASCII));
            reset(client);

            assertThrows(SocketException.class, () -> readToEnd(server.getInputStream()),
                    () -> "the target must see an error, not a clean EOF that looks like a complete request\n" + serve.text()
                            + connect.text());
            connect.await("aborted \\(TCP to virtual\\)");
            serve.await("aborted \\(virtual to TCP\\): stream reset");
        }
    }

    private static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        s.close();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] readToEnd(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
