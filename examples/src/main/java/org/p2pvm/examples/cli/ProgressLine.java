package org.p2pvm.examples.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A live progress line. On a terminal it rewrites one line in place (carriage return) a few times a
 * second; elsewhere (pipes, files, CI logs) it prints a plain line every few seconds. It runs on its
 * own daemon thread, which only calls {@code text} and writes to {@code out}; {@link #close()} stops
 * it and ends the line, so output that follows starts on a fresh line.
 */
final class ProgressLine implements AutoCloseable {
    private static final Duration TTY_PERIOD = Duration.ofMillis(200);
    private static final Duration PLAIN_PERIOD = Duration.ofSeconds(2);

    private final PrintWriter out;
    private final boolean tty;
    private final Supplier<String> text;
    private final ScheduledExecutorService timer;
    private int lastLength;
    private boolean printed;

    private ProgressLine(PrintWriter out, boolean tty, Supplier<String> text) {
        this.out = out;
        this.tty = tty;
        this.text = text;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "p2pvm-progress");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts printing {@code text} periodically.
     *
     * @param tty whether {@code out} is a terminal ({@code System.console() != null})
     */
    static ProgressLine start(PrintWriter out, boolean tty, Supplier<String> text) {
        ProgressLine line = new ProgressLine(out, tty, text);
        long period = (tty ? TTY_PERIOD : PLAIN_PERIOD).toMillis();
        line.timer.scheduleAtFixedRate(line::print, period, period, TimeUnit.MILLISECONDS);
        return line;
    }

    /** Whether standard output is an interactive terminal. */
    static boolean isTerminal() {
        return System.console() != null;
    }

    private synchronized void print() {
        String s = text.get();
        if (tty) {
            // Pad with blanks so a shorter line erases the end of the previous one.
            int pad = Math.max(0, lastLength - s.length());
            out.print("\r" + s + " ".repeat(pad));
            lastLength = s.length();
        } else {
            out.println(s);
        }
        out.flush();
        printed = true;
    }

    /** Stops the updates; on a terminal prints the final state and ends the line. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (tty && printed) {
                print();
                out.println();
                out.flush();
            }
        }
    }
}
