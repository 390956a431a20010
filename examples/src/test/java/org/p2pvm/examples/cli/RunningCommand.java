package org.p2pvm.examples.cli;

import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** A long-running command ({@code serve}, forwarding {@code connect}) on its own thread, with watched output. */
final class RunningCommand implements AutoCloseable {
    final ServeCommandTest.WatchedWriter out = new ServeCommandTest.WatchedWriter();
    final ServeCommandTest.WatchedWriter err = new ServeCommandTest.WatchedWriter();
    final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Thread thread;

    private RunningCommand(String name, String... args) {
        thread = new Thread(() -> {
            CommandLine cmd = P2pvmCommand.newCommandLine();
            cmd.setOut(new PrintWriter(out, true));
            cmd.setErr(new PrintWriter(err, true));
            exit.complete(cmd.execute(args));
        }, name);
    }

    static RunningCommand start(String name, String... args) {
        RunningCommand c = new RunningCommand(name, args);
        c.thread.start();
        return c;
    }

    /** The first match of {@code pattern} in stdout within 30 s; fails with both outputs otherwise. */
    Matcher await(String pattern) throws InterruptedException {
        Matcher m = out.await(Pattern.compile(pattern), 30);
        if (m == null) {
            throw new AssertionError("no '" + pattern + "' in output of " + thread.getName() + ":\n" + text());
        }
        return m;
    }

    String text() {
        return "--- out ---\n" + out.text() + "--- err ---\n" + err.text() + (exit.isDone() ? "exit " + exit.join() : "");
    }

    /** Interrupts the command and returns its exit code. */
    int stop() throws Exception {
        thread.interrupt();
        try {
            return exit.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            StringBuilder stack = new StringBuilder();
            for (StackTraceElement el : thread.getStackTrace()) {
                stack.append("\n  at ").append(el);
            }
            throw new AssertionError(thread.getName() + " did not stop when interrupted:" + stack + "\n" + text(), e);
        }
    }

    @Override
    public void close() throws Exception {
        if (!exit.isDone()) {
            stop();
        }
    }
}
