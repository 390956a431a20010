package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code p2pvm serve} in-process on its own thread: serves several echo addresses to {@code connect}
 * runs, logs tunnels opening and closing with the reason, and stops cleanly when interrupted; and
 * holds ten tunnels from ten dialers at once, with traffic on each (seed: ten links, one server).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServeCommandTest {
    private static final Pattern LISTENING = Pattern.compile("listening on (tcp://127\\.0\\.0\\.1:\\d+) \\(nio\\)");

    /** A writer whose text can be awaited, line by line, from another thread. */
    static final class WatchedWriter extends Writer {
        private final StringBuilder text = new StringBuilder();

        @Override
        public synchronized void write(char[] buf, int off, int len) {
            text.append(buf, off, len);
            notifyAll();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        synchronized String text() {
            return text.toString();
        }

        /** Waits until the text matches {@code pattern}; the match, or null after {@code seconds}. */
        synchronized Matcher await(Pattern pattern, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                Matcher m = pattern.matcher(text);
                if (m.find()) {
                    return m;
                }
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return null;
                }
                wait(left);
            }
        }
    }

    @Test
    void servesEveryEchoAddressLogsTunnelsAndStopsWhenInterrupted() throws Exception {
        WatchedWriter out = new WatchedWriter();
        WatchedWriter err = new WatchedWriter();
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread serve = new Thread(() -> {
            CommandLine cmd = P2pvmCommand.newCommandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            exit.complete(cmd.execute("serve", "--transport", "nio", "--bind", "127.0.0.1:0", "--token", "t0k",
                    "--echo", "[::99]:11139", "--echo", "[2001:db8::1]:80"));
        }, "serve-under-test");
        serve.start();
        try {
            Matcher listening = out.await(LISTENING, 30);
            assertNotNull(listening, out.text() + err.text());
            String uri = listening.group(1);
            assertTrue(out.text().contains("serving echo on [::99]:11139, [2001:db8::1]:80"), out.text());

            for (String target : new String[] {"[::99]:11139", "[2001:db8::1]:80"}) {
                Cli.Result r = Cli.run("connect", "--transport", "nio", "--peer", uri, "--token", "t0k",
                        "--echo-test", target, "--connections", "100", "--bytes", "3000");
                assertEquals(0, r.exitCode(), r.toString());
                assertTrue(r.out().contains("100 of 100 connections OK"), r.toString());
            }
            assertNotNull(out.await(Pattern.compile("tunnel 2 from \\S+ closed: remote NO_ERROR"), 30), out.text());
            assertTrue(out.text().contains("tunnel 1 opened from "), out.text());
        } finally {
            serve.interrupt();
        }
        assertEquals(0, exit.get(30, TimeUnit.SECONDS), out.text() + err.text());
        assertTrue(out.text().contains("shutting down: closing every tunnel"), out.text());
        assertFalse(err.text().contains("p2pvm"), err.text());
    }

    @Test
    void tenDialersHoldTunnelsToOneServeAtOnceWithTrafficOnEach() throws Exception {
        int dialers = 10;
        java.util.List<RunningCommand> connects = new java.util.ArrayList<>();
        java.util.List<java.net.Socket> sockets = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService writers = java.util.concurrent.Executors.newFixedThreadPool(dialers);
        try (RunningCommand serve = RunningCommand.start("serve", "serve", "--transport", "nio", "--bind",
                "127.0.0.1:0", "--echo", "[::99]:11139", "--max-tunnels", String.valueOf(dialers))) {
            String uri = serve.await(LISTENING.pattern()).group(1);
            try {
                java.util.List<String> locals = new java.util.ArrayList<>();
                for (int i = 0; i < dialers; i++) {
                    RunningCommand c = RunningCommand.start("connect-" + i, "connect", "--transport", "nio", "--peer",
                            uri, "--local", "127.0.0.1:0=[::99]:11139");
                    connects.add(c);
                    locals.add(c.await("local listener (127\\.0\\.0\\.1:\\d+) -> ").group(1));
                }
                for (RunningCommand c : connects) {
                    c.await("tunnel ready");
                }
                serve.await("tunnel " + dialers + " opened from ");

                // One connection through each tunnel, all open together: each gets its own first echo
                // before any of them finishes, then streams its own payload and reads it all back.
                byte[][] payloads = new byte[dialers][];
                for (int i = 0; i < dialers; i++) {
                    payloads[i] = new byte[256 * 1024];
                    new java.util.Random(i).nextBytes(payloads[i]);
                    java.net.Socket s = new java.net.Socket();
                    int colon = locals.get(i).lastIndexOf(':');
                    s.connect(new java.net.InetSocketAddress("127.0.0.1",
                            Integer.parseInt(locals.get(i).substring(colon + 1))), 10_000);
                    s.setSoTimeout(30_000);
                    sockets.add(s);
                    s.getOutputStream().write(payloads[i], 0, 1);
                }
                for (int i = 0; i < dialers; i++) {
                    assertEquals(payloads[i][0] & 0xff, sockets.get(i).getInputStream().read(), "first echo on " + i);
                }
                java.util.List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
                for (int i = 0; i < dialers; i++) {
                    java.net.Socket s = sockets.get(i);
                    byte[] p = payloads[i];
                    sent.add(writers.submit(() -> {
                        s.getOutputStream().write(p, 1, p.length - 1);
                        s.shutdownOutput();
                        return null;
                    }));
                }
                for (int i = 0; i < dialers; i++) {
                    byte[] back = sockets.get(i).getInputStream().readAllBytes();
                    assertTrue(java.util.Arrays.equals(payloads[i], 1, payloads[i].length, back, 0, back.length),
                            "echo through tunnel of dialer " + i + " (" + back.length + " bytes back)");
                    sent.get(i).get(30, TimeUnit.SECONDS);
                }

                String log = serve.out.text();
                for (int id = 1; id <= dialers; id++) {
                    assertTrue(log.contains("tunnel " + id + " opened from "), log);
                }
                assertFalse(log.contains(" closed: "), "every tunnel was open throughout:\n" + log);
                assertFalse(log.contains("refused"), log);
            } finally {
                writers.shutdownNow();
                for (java.net.Socket s : sockets) {
                    s.close();
                }
                for (RunningCommand c : connects) {
                    c.close();
                }
            }
            assertEquals(0, serve.stop(), serve.text());
        }
    }
}
