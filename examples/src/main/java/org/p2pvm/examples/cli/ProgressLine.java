package org.p2pvm.examples.cli;

import java.io.Console;
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
     * @param tty whether {@code out} is a terminal (see {@link #isTerminal()})
     */
    static ProgressLine start(PrintWriter out, boolean tty, Supplier<String> text) {
        ProgressLine line = new ProgressLine(out, tty, text);
        long period = (tty ? TTY_PERIOD : PLAIN_PERIOD).toMillis();
        line.timer.scheduleAtFixedRate(line::print, period, period, TimeUnit.MILLISECONDS);
        return line;
    }

    /**
     * Whether standard output (and standard input) is an interactive terminal, so callers must print
     * progress on standard output for the answer to apply. The JDK can only tell for stdin/stdout
     * together: on Java 17 {@link System#console()} is non-null only then; from Java 22 it may be
     * non-null for pipes too, and {@code Console.isTerminal()} (called reflectively, this is built
     * for 17) gives the answer.
     */
    static boolean isTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true; // before Java 22: a console exists only on a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
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
