package org.p2pvm.examples.cli;

import java.time.Duration;
import org.p2pvm.examples.echo.EchoClient;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks the size options of an echo test ({@code --connections}, {@code --bytes},
 * {@code --timeout}), which {@code demo} and {@code connect} declare with their own defaults.
 */
final class EchoTestOptions {
    /** Most virtual connections one run may open (the peer's default MAX_STREAMS). */
    static final int MAX_CONNECTIONS = 1 << 20;
    /** Most bytes per connection. */
    static final long MAX_BYTES = 1L << 40;

    private EchoTestOptions() {
    }

    /** The echo client's settings; a usage error names the option when a value is out of range. */
    static EchoClient.Settings settings(CommandSpec spec, int connections, long bytes) {
        if (connections < 1 || connections > MAX_CONNECTIONS) {
            throw new ParameterException(spec.commandLine(), "--connections is " + connections
                    + " but must be between 1 and " + MAX_CONNECTIONS);
        }
        if (bytes > MAX_BYTES) {
            throw new ParameterException(spec.commandLine(), "--bytes is " + bytes + " but must be at most 1 TiB");
        }
        return EchoClient.Settings.of(connections, bytes);
    }

    /** The run's time limit. */
    static Duration timeout(CommandSpec spec, int seconds) {
        if (seconds < 1) {
            throw new ParameterException(spec.commandLine(), "--timeout is " + seconds
                    + " but must be at least 1 second");
        }
        return Duration.ofSeconds(seconds);
    }
}
