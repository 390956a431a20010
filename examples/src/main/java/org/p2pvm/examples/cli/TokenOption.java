package org.p2pvm.examples.cli;

import org.p2pvm.TunnelOptions;
import picocli.CommandLine.Option;

/**
 * The shared secret of the tunnel handshake (PROTOCOL.md §4), a picocli mixin. {@code --token}
 * wins over the environment variable {@code P2PVM_TOKEN}; without either the token is empty (weak,
 * but both ends must still agree). The value is never printed.
 */
final class TokenOption {
    /** The environment variable that holds the token when {@code --token} is absent. */
    static final String ENV = "P2PVM_TOKEN";

    @Option(names = "--token", paramLabel = "TOKEN", arity = "1",
            description = "Shared secret both ends must agree on (default: environment variable " + ENV
                    + ", else empty). Prefer the variable: command lines are visible to other users.")
    String token;

    /** Tunnel options with this token and the defaults otherwise. */
    TunnelOptions tunnelOptions() {
        return tunnelOptions(null);
    }

    /** Tunnel options with this token and {@code tls} (null: plain). */
    TunnelOptions tunnelOptions(org.p2pvm.TlsOptions tls) {
        TunnelOptions.Builder b = TunnelOptions.builder().authToken(token == null ? "" : token);
        if (tls != null) {
            b.tls(tls);
        }
        return b.build();
    }
}
