package org.p2pvm.examples.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelStats;
import org.p2pvm.VmAddress;
import org.p2pvm.examples.echo.EchoClient;
import org.p2pvm.examples.echo.EchoProgress;
import org.p2pvm.examples.echo.EchoReport;
import org.p2pvm.examples.support.Failures;

/**
 * Runs an {@link EchoClient} over an open tunnel for {@code demo} and {@code connect}: a live
 * progress line while it runs, then the summary (connections, bytes, throughput, RTT, heap used
 * after GC). Runs on the command's thread and blocks until the run ends or times out.
 */
final class EchoTestRun {
    private final String title;
    private final PrintWriter out;
    private final boolean tty;

    /**
     * @param title what runs, for the summary's first line, e.g. {@code "demo over memory"}
     * @param tty whether {@code out} is a terminal (live line) or not (periodic plain lines)
     */
    EchoTestRun(String title, PrintWriter out, boolean tty) {
        this.title = title;
        this.out = out;
        this.tty = tty;
    }

    /**
     * Runs the echo test and prints its summary.
     *
     * @throws CliFailure when the run does not finish within {@code timeout} (the tunnel is then
     *     closed with CANCELLED)
     */
    EchoReport run(Tunnel tunnel, VmAddress target, EchoClient.Settings settings, Duration timeout)
            throws InterruptedException {
        EchoClient client = new EchoClient(tunnel, target, settings);
        RateMeter meter = new RateMeter();
        EchoReport report;
        try (ProgressLine ignored = ProgressLine.start(out, tty, () -> progressText(client.progress(), meter))) {
            report = client.run().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            EchoProgress p = client.progress();
            tunnel.close(ErrorCode.CANCELLED, "echo test timed out");
            throw new CliFailure("timed out after " + Units.seconds(timeout) + " with " + p.finished() + " of "
                    + p.connections() + " connections finished (raise --timeout?)");
        } catch (ExecutionException e) {
            throw new CliFailure("echo test failed: " + Failures.describe(e), e);
        }
        printSummary(tunnel, target, report);
        return report;
    }

    private void printSummary(Tunnel tunnel, VmAddress target, EchoReport r) {
        String rtt;
        try {
            rtt = Units.millis(tunnel.ping().get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            rtt = "n/a (" + Failures.describe(e) + ")";
        }
        out.printf("%s to %s: %d of %d connections OK%s%n", title, target, r.succeeded(), r.connections(),
                r.allSucceeded() ? ", every byte verified" : ", " + r.failed() + " FAILED");
        out.printf("  data       %s sent, %s echoed and verified in %s: %s each way%n",
                Units.bytes(r.bytesSent()), Units.bytes(r.bytesVerified()), Units.seconds(r.elapsed()),
                Units.rate(r.bytesPerSecond()));
        TunnelStats s = tunnel.stats();
        out.printf("  tunnel     rtt %s (tunnel.ping); %d frames sent in %d carrier writes%n", rtt, s.framesSent(),
                s.batchesWritten());
        out.printf("  heap used  %s after GC%n", Units.bytes(heapUsedAfterGc()));
        for (String failure : r.failures()) {
            out.printf("  failure    %s%n", failure);
        }
        if (r.failed() > r.failures().size()) {
            out.printf("  failure    ... and %d more%n", r.failed() - r.failures().size());
        }
        out.flush();
    }

    private static long heapUsedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String progressText(EchoProgress p, RateMeter meter) {
        return String.format(java.util.Locale.ROOT, "echo: %d/%d connected, %d done, %d failed, %s of %s verified, %s",
                p.established(), p.connections(), p.succeeded(), p.failed(), Units.bytes(p.bytesVerified()),
                Units.bytes(p.bytesTotal()), Units.rate(meter.rate(p.bytesVerified())));
    }

    /** Bytes per second over about the last second; called from the progress thread only. */
    private static final class RateMeter {
        private static final long WINDOW_NANOS = 1_000_000_000L;
        private final java.util.ArrayDeque<long[]> samples = new java.util.ArrayDeque<>();

        RateMeter() {
            samples.add(new long[] {System.nanoTime(), 0});
        }

        double rate(long bytes) {
            long now = System.nanoTime();
            samples.add(new long[] {now, bytes});
            while (samples.size() > 2 && now - samples.peekFirst()[0] > WINDOW_NANOS) {
                samples.pollFirst();
            }
            long[] first = samples.peekFirst();
            double seconds = (now - first[0]) / 1e9;
            return seconds <= 0 ? 0 : (bytes - first[1]) / seconds;
        }
    }
}
