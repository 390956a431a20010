package org.p2pvm.examples.echo;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of an {@link EchoClient} run.
 *
 * @param connections virtual connections attempted
 * @param succeeded connections whose every byte came back, verified, followed by the peer's FIN
 * @param failed connections that failed (refused, reset, wrong or missing bytes, tunnel lost)
 * @param bytesPerConnection payload bytes each connection sent
 * @param bytesSent payload bytes handed to the tunnel, all connections together
 * @param bytesVerified echoed bytes received and found equal to what was sent
 * @param elapsed from the first connect to the last connection's end
 * @param failures the first few failures, one line each (at most {@link #MAX_FAILURES_KEPT})
 */
public record EchoReport(int connections, int succeeded, int failed, long bytesPerConnection, long bytesSent,
        long bytesVerified, Duration elapsed, List<String> failures) {

    /** How many failure lines a report keeps. */
    public static final int MAX_FAILURES_KEPT = 5;

    public EchoReport {
        failures = List.copyOf(failures);
    }

    /** Whether every connection came back complete and intact. */
    public boolean allSucceeded() {
        return succeeded == connections && failed == 0;
    }

    /** Verified echo bytes per second (one direction), 0 for an empty run. */
    public double bytesPerSecond() {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : bytesVerified / seconds;
    }
}
