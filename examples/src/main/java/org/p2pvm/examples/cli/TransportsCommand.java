package org.p2pvm.examples.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.p2pvm.spi.TransportProvider;
import org.p2pvm.spi.Transports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code p2pvm transports}: lists the transports {@link java.util.ServiceLoader} finds. */
@Command(name = "transports", mixinStandardHelpOptions = true,
        description = "List the carrier transports found on the class path.")
final class TransportsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, TransportProvider> providers = Transports.providers();
        if (providers.isEmpty()) {
            throw new CliFailure("no transport on the class path (add a transport module such as transport-nio)");
        }
        int width = Math.max(4, providers.keySet().stream().mapToInt(String::length).max().orElse(4));
        out.printf("%-" + width + "s  %s%n", "NAME", "DESCRIPTION");
        providers.forEach((name, p) -> out.printf("%-" + width + "s  %s%n", name, p.description()));
        out.flush();
        return 0;
    }
}
