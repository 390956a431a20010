package org.p2pvm.bench;

import java.io.PrintStream;

/**
 * The live progress line. On a terminal the line is rewritten in place with {@code \r}; otherwise
 * (a pipe, a test) each new phase is printed once on its own line so logs stay readable.
 * Thread-safe: scenarios update it from their measuring threads.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean tty;
    private final long start = System.nanoTime();
    private String phase = "";
    private int lastLength;

    /** @param out where to print; {@code tty} when it is an interactive terminal */
    public Progress(PrintStream out, boolean tty) {
        this.out = out;
        this.tty = tty;
    }

    /** Starts a new phase (scenario, transport, variant). */
    public synchronized void phase(String text) {
        phase = text;
        if (tty) {
            show(text);
        } else {
            out.printf("[%6.1fs] %s%n", elapsed(), text);
            out.flush();
        }
    }

    /** Updates the current phase with a live figure (only shown on a terminal). */
    public synchronized void update(String detail) {
        if (tty) {
            show(phase + "  " + detail);
        }
    }

    /** Ends the live line so that following output starts on a fresh line. */
    public synchronized void done() {
        if (tty && lastLength > 0) {
            out.print("\r" + " ".repeat(lastLength) + "\r");
            out.flush();
            lastLength = 0;
        }
    }

    private void show(String text) {
        String line = String.format("[%6.1fs] %s", elapsed(), text);
        int pad = Math.max(0, lastLength - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        lastLength = line.length();
    }

    private double elapsed() {
        return (System.nanoTime() - start) / 1e9;
    }
}
