package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code p2pvm serve} and {@code p2pvm connect} as separate JVMs talking over nio on loopback, as a
 * user runs them in two terminals. The shaded jar is built after the tests, so the child JVMs run
 * the main class from this test's class path. One {@code serve} (token from the environment) is
 * shared by the tests and destroyed at the end (SIGTERM: its shutdown hook closes the tunnels).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServeConnectProcessTest {
    private static final String TOKEN = "process-test-token";
    private static final Pattern LISTENING = Pattern.compile("listening on tcp://127\\.0\\.0\\.1:(\\d+) ");

    private static Process serve;
    private static Lines serveOut;
    private static int port;

    /** Collects a process stream's lines on a daemon thread, so it never blocks on a full pipe. */
    static final class Lines {
        final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
        final List<String> all = new ArrayList<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        Lines(InputStream in) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        synchronized (all) {
                            all.add(line);
                        }
                        queue.add(line);
                    }
                } catch (IOException e) {
                    // the process went away
                } finally {
                    ended.complete(null);
                }
            }, "process-lines");
            t.setDaemon(true);
            t.start();
        }

        /** The first line from now on that matches, within {@code seconds}; null when none came. */
        String await(Predicate<String> match, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                String line = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null || match.test(line)) {
                    return line;
                }
            }
        }

        String text() {
            synchronized (all) {
                return String.join("\n", all);
            }
        }
    }

    /** The result of a finished child JVM. */
    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out ---\n" + out + "\n--- err ---\n" + err;
        }
    }

    static ProcessBuilder p2pvm(String... args) {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", classPath, P2pvmCommand.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.remove(TokenOption.ENV);
        return pb;
    }

    static Run run(ProcessBuilder pb, int seconds) throws Exception {
        Process p = pb.start();
        p.getOutputStream().close();
        Lines out = new Lines(p.getInputStream());
        Lines err = new Lines(p.getErrorStream());
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("p2pvm " + pb.command() + " did not end within " + seconds + " s:\n"
                    + out.text() + "\n" + err.text());
        }
        out.ended.get(10, TimeUnit.SECONDS);
        err.ended.get(10, TimeUnit.SECONDS);
        return new Run(p.exitValue(), out.text(), err.text());
    }

    @BeforeAll
    static void startServe() throws Exception {
        ProcessBuilder pb = p2pvm("serve", "--transport", "nio", "--bind", "127.0.0.1:0", "--echo", "[::99]:11139");
        pb.environment().put(TokenOption.ENV, TOKEN);
        serve = pb.start();
        serve.getOutputStream().close();
        serveOut = new Lines(serve.getInputStream());
        new Lines(serve.getErrorStream());
        String listening = serveOut.await(l -> LISTENING.matcher(l).find(), 60);
        assertNotNull(listening, "serve printed no 'listening on' line:\n" + serveOut.text());
        Matcher m = LISTENING.matcher(listening);
        assertTrue(m.find());
        port = Integer.parseInt(m.group(1));
    }

    @AfterAll
    static void stopServe() throws Exception {
        if (serve != null) {
            serve.destroy();
            if (!serve.waitFor(20, TimeUnit.SECONDS)) {
                serve.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void connectLocalForwardsARealSocketWithHalfCloseAndStopsOnSigterm() throws Exception {
        ProcessBuilder pb = p2pvm("connect", "--transport", "nio", "--peer", "127.0.0.1:" + port, "--local",
                "127.0.0.1:0=[::99]:11139");
        pb.environment().put(TokenOption.ENV, TOKEN);
        Process connect = pb.start();
        try {
            connect.getOutputStream().close();
            Lines out = new Lines(connect.getInputStream());
            new Lines(connect.getErrorStream());
            String listener = out.await(l -> l.contains("local listener 127.0.0.1:"), 60);
            assertNotNull(listener, out.text());
            assertNotNull(out.await(l -> l.contains("tunnel ready"), 60), out.text());
            Matcher m = Pattern.compile("local listener 127\\.0\\.0\\.1:(\\d+) ").matcher(listener);
            assertTrue(m.find(), listener);
            byte[] sent = new byte[300_000];
            new java.util.Random(7).nextBytes(sent);
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", Integer.parseInt(m.group(1)))) {
                s.setSoTimeout(30_000);
                java.util.concurrent.CompletableFuture<byte[]> back = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return s.getInputStream().readAllBytes();
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                s.getOutputStream().write(sent);
                s.shutdownOutput(); // half close: the echo server ends its side after echoing everything
                assertTrue(java.util.Arrays.equals(sent, back.get(30, TimeUnit.SECONDS)), "echoed bytes differ");
            }
            connect.destroy();
            assertTrue(connect.waitFor(20, TimeUnit.SECONDS), "connect did not stop on SIGTERM:\n" + out.text());
        } finally {
            connect.destroyForcibly();
        }
    }

    @Test
    void connectEchoesEveryByteThroughServeAndExits0() throws Exception {
        Run r = run(p2pvm("connect", "--transport", "nio", "--peer", "127.0.0.1:" + port, "--token", TOKEN,
                "--echo-test", "[::99]:11139", "--connections", "500", "--bytes", "16k"), 150);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("echo test over nio to [::99]:11139: 500 of 500 connections OK, every byte verified"),
                r.toString());
        assertTrue(r.out().contains("7.8 MiB sent, 7.8 MiB echoed and verified"), r.toString());
        // serve logged the tunnel and, once connect closed it gracefully, its end with the reason.
        assertNotNull(serveOut.await(l -> l.matches(".* tunnel \\d+ from .* closed: remote NO_ERROR.*"), 30),
                serveOut.text());
    }

    @Test
    void theTokenMayComeFromTheEnvironment() throws Exception {
        ProcessBuilder pb = p2pvm("connect", "--transport", "nio", "--peer", "127.0.0.1:" + port,
                "--echo-test", "[::99]:11139", "--connections", "20", "--bytes", "1k");
        pb.environment().put(TokenOption.ENV, TOKEN);
        Run r = run(pb, 60);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("20 of 20 connections OK"), r.toString());
    }

    @Test
    void aWrongTokenEndsWithOneClearLineAndExit1() throws Exception {
        ProcessBuilder pb = p2pvm("connect", "--transport", "nio", "--peer", "127.0.0.1:" + port,
                "--token", "not-the-token", "--echo-test", "[::99]:11139");
        pb.environment().put(TokenOption.ENV, TOKEN); // the flag wins over the environment
        Run r = run(pb, 60);
        assertEquals(1, r.exitCode(), r.toString());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "one line on stderr:\n" + r);
        assertTrue(lines.get(0).startsWith("p2pvm connect: cannot open a tunnel to tcp://127.0.0.1:" + port
                + ": handshake failed"), r.toString());
        assertTrue(lines.get(0).contains("AUTH_FAILED"), r.toString());
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r);
        assertTrue(r.out().isEmpty(), r.toString());
    }

    @Test
    void aWrongArgumentInAChildJvmExits2() throws Exception {
        Run r = run(p2pvm("connect", "--peer", "127.0.0.1:" + port, "--echo-test", "10.0.0.1:80"), 60);
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().contains("is IPv4"), r.toString());
    }
}
