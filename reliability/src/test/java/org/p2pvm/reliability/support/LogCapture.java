package org.p2pvm.reliability.support;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Captures what the JVM prints on System.err, line by line, while still printing it. slf4j-simple
 * (the test logger) writes to {@code System.err} looked up at each line when
 * {@code org.slf4j.simpleLogger.cacheOutputStream=false} (see simplelogger.properties), so a tee
 * installed here sees every log line, whenever slf4j was initialised. Thread-safe.
 */
public final class LogCapture {
    private static final List<String> LINES = new ArrayList<>();
    private static boolean installed;

    private LogCapture() {
    }

    /** Installs the tee once (idempotent); returns the index of the next line, for {@link #since}. */
    public static synchronized int mark() {
        if (!installed) {
            installed = true;
            PrintStream original = System.err;
            System.setErr(new PrintStream(new Tee(original), true, StandardCharsets.UTF_8));
        }
        return LINES.size();
    }

    /** Lines printed since {@code mark}. */
    public static synchronized List<String> since(int mark) {
        return new ArrayList<>(LINES.subList(Math.min(mark, LINES.size()), LINES.size()));
    }

    /** Waits (bounded) until a line since {@code mark} matches; returns it, or null on timeout. */
    public static String await(int mark, Predicate<String> match, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        synchronized (LogCapture.class) {
            while (true) {
                for (int i = mark; i < LINES.size(); i++) {
                    if (match.test(LINES.get(i))) {
                        return LINES.get(i);
                    }
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return null;
                }
                LogCapture.class.wait(left);
            }
        }
    }

    private static synchronized void line(String s) {
        LINES.add(s);
        LogCapture.class.notifyAll();
    }

    /** Copies to the original stream and splits into lines. */
    private static final class Tee extends OutputStream {
        private final PrintStream original;
        private final ByteArrayOutputStream current = new ByteArrayOutputStream();

        Tee(PrintStream original) {
            this.original = original;
        }

        @Override
        public synchronized void write(int b) {
            original.write(b);
            if (b == '\n') {
                line(current.toString(StandardCharsets.UTF_8));
                current.reset();
            } else {
                current.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            original.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    line(current.toString(StandardCharsets.UTF_8));
                    current.reset();
                } else {
                    current.write(b[i]);
                }
            }
        }

        @Override
        public void flush() {
            original.flush();
        }
    }
}
