package org.p2pvm.examples.cli;

import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportConfig;
import org.p2pvm.spi.Transports;
import picocli.CommandLine.Option;

/**
 * The options that choose and tune the carrier transport, shared by every command that makes a
 * {@link Transport} (a picocli mixin).
 */
final class TransportOptions {

    @Option(names = "--transport", paramLabel = "NAME", converter = Converters.TransportNameConverter.class,
            completionCandidates = Converters.TransportNames.class,
            description = "Carrier transport, one of: ${COMPLETION-CANDIDATES} (default: memory for demo, nio otherwise).")
    String name;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "I/O threads of the transport; 0 = one per processor (default).")
    int ioThreads;

    /** The chosen name, or {@code fallback} when {@code --transport} was not given. */
    String nameOr(String fallback) {
        return name != null ? name : fallback;
    }

    /** Creates the transport named {@code transportName} with these settings. */
    Transport create(String transportName) {
        TransportConfig config;
        try {
            config = TransportConfig.builder().ioThreads(ioThreads).build();
        } catch (IllegalArgumentException e) {
            throw new CliFailure("--io-threads: " + e.getMessage());
        }
        try {
            return Transports.get(transportName, config);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliFailure(e.getMessage(), e);
        }
    }
}
