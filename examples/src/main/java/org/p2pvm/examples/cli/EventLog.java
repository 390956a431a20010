package org.p2pvm.examples.cli;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The tool's own event lines ({@code listening on ...}, {@code tunnel 3 opened ...}) on standard
 * output, each with the local time. Thread-safe: tunnels report from their executors.
 */
final class EventLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final PrintWriter out;

    EventLog(PrintWriter out) {
        this.out = out;
    }

    /** On a terminal, clear the status line ({@link MonitorOptions}) before an event line. */
    private static final String CLEAR_LINE = ProgressLine.isTerminal() ? "\r\033[K" : "";

    synchronized void log(String message) {
        out.println(CLEAR_LINE + LocalTime.now().truncatedTo(ChronoUnit.MILLIS).format(TIME) + " " + message);
        out.flush();
    }
}
