package org.p2pvm.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code p2pvm gen-cert}: writes a throw-away CA, server and client certificate ({@link TrialPki})
 * for trying {@code --tls-*} out, and prints the flags that use them.
 */
@Command(name = "gen-cert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a self-signed CA, a server certificate and a client certificate (PEM) for trying TLS out.",
                "Files: ca.pem, server.pem, server-key.pem, client.pem, client-key.pem. Not for production."})
final class GenCertCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory to write into (created).")
    Path out;

    @Option(names = "--host", paramLabel = "NAME", description = "Host name or IP address the server certificate "
            + "is valid for (repeatable; default: localhost, 127.0.0.1, ::1).")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--days", paramLabel = "N", defaultValue = "30",
            description = "Days the certificates stay valid (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--force", description = "Overwrite existing files.")
    boolean force;

    @Override
    public Integer call() {
        if (days < 1 || days > 3650) {
            throw new ParameterException(spec.commandLine(), "--days must be 1..3650");
        }
        List<String> names = hosts.isEmpty() ? List.of("localhost", "127.0.0.1", "::1") : hosts;
        for (String n : names) {
            if (n.isBlank() || n.contains(" ") || n.contains("/")) {
                throw new ParameterException(spec.commandLine(), "--host '" + n + "' is not a host name or IP address");
            }
        }
        try {
            TrialPki.write(out, names, Duration.ofDays(days), force);
        } catch (FileAlreadyExistsException e) {
            throw new CliFailure(e.getFile() + " exists: choose another --out or add --force", e);
        } catch (IOException e) {
            throw new CliFailure("cannot write into " + out + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new CliFailure("cannot make the certificates: " + e.getMessage(), e);
        }
        PrintWriter o = spec.commandLine().getOut();
        o.println("wrote " + String.join(", ", TrialPki.FILES) + " into " + out + " (valid " + days + " days, server "
                + "names " + String.join(", ", names) + ")");
        Path d = out;
        o.println("  serve:   --tls-cert " + d.resolve("server.pem") + " --tls-key " + d.resolve("server-key.pem"));
        o.println("  connect: --tls-ca " + d.resolve("ca.pem"));
        o.println("  client certificates: serve --tls-ca " + d.resolve("ca.pem") + " --tls-client-auth required; "
                + "connect --tls-cert " + d.resolve("client.pem") + " --tls-key " + d.resolve("client-key.pem"));
        o.flush();
        return 0;
    }
}
