package org.p2pvm.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.p2pvm.TlsOptions;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * The TLS options of {@code serve} and {@code connect} (a picocli mixin), turned into one
 * {@link TlsOptions} for whatever transport carries the tunnel. PEM files only (what
 * {@code p2pvm gen-cert} writes and what most tools hand out).
 *
 * <p>{@code serve} uses TLS when {@code --tls-cert} is given; {@code connect} when any of
 * {@code --tls}, {@code --tls-ca}, {@code --tls-cert} or {@code --insecure-skip-verify} is.
 * {@code --insecure-skip-verify} turns hostname verification off when a CA is given (the certificate
 * must still chain to it), and all verification off otherwise; either way it prints a WARNING line.
 */
final class TlsFlags {
    /**
     * Transports that ignore {@link TlsOptions} (the in-memory one has no wire to encrypt); TLS flags
     * with them are refused instead of silently meaning nothing.
     */
    static final Set<String> WITHOUT_TLS = Set.of("memory");

    @Option(names = "--tls", description = "connect: use TLS, trusting the system's CA certificates "
            + "(implied by the other --tls-* options).")
    boolean tls;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "This side's certificate chain (PEM). serve: "
            + "turns TLS on; connect: the client certificate. Needs --tls-key.")
    Path cert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "The private key of --tls-cert (PKCS#8 PEM).")
    Path key;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "CA certificates to trust (PEM). connect: checks "
            + "the server; serve: checks client certificates.")
    Path ca;

    @Option(names = "--tls-client-auth", paramLabel = "MODE", converter = ClientAuthConverter.class,
            description = "serve: ask the dialer for a certificate: none (default), optional or required.")
    TlsOptions.ClientAuth clientAuth;

    @Option(names = "--insecure-skip-verify", description = "connect: do not verify the server's host name (with "
            + "--tls-ca) or certificate at all (without). For trials only: anyone in the path can read the tunnel.")
    boolean insecureSkipVerify;

    /** The acceptor's TLS settings, or null without {@code --tls-cert}. */
    TlsOptions serverTls(CommandSpec spec, String transport) {
        if (tls || insecureSkipVerify) {
            throw usage(spec, (tls ? "--tls" : "--insecure-skip-verify") + " is for connect; serve turns TLS on with "
                    + "--tls-cert and --tls-key");
        }
        if (cert == null) {
            if (key != null || ca != null || clientAuth != null) {
                throw usage(spec, "--tls-key, --tls-ca and --tls-client-auth need --tls-cert (the server certificate)");
            }
            return null;
        }
        if (key == null) {
            throw usage(spec, "--tls-cert needs --tls-key (the private key of the certificate)");
        }
        TlsOptions.ClientAuth auth = clientAuth == null ? TlsOptions.ClientAuth.NONE : clientAuth;
        if (auth != TlsOptions.ClientAuth.NONE && ca == null) {
            throw usage(spec, "--tls-client-auth " + auth.name().toLowerCase(Locale.ROOT)
                    + " needs --tls-ca (the CA that signs client certificates)");
        }
        requireTls(spec, transport);
        TlsOptions.Builder b = TlsOptions.builder().pemKey(cert, key).clientAuth(auth);
        if (ca != null) {
            b.trustedCertificates(ca);
        }
        return build(spec, b);
    }

    /** The dialer's TLS settings, or null when no TLS option is given; warns on {@code err} when insecure. */
    TlsOptions clientTls(CommandSpec spec, String transport, PrintWriter err) {
        if (clientAuth != null) {
            throw usage(spec, "--tls-client-auth is for serve");
        }
        if (!tls && ca == null && cert == null && key == null && !insecureSkipVerify) {
            return null;
        }
        if ((cert == null) != (key == null)) {
            throw usage(spec, "--tls-cert and --tls-key go together (the client certificate and its private key)");
        }
        requireTls(spec, transport);
        TlsOptions.Builder b = TlsOptions.builder();
        if (cert != null) {
            b.pemKey(cert, key);
        }
        if (ca != null) {
            b.trustedCertificates(ca);
        }
        if (insecureSkipVerify) {
            if (ca != null) {
                b.insecureSkipHostnameVerification();
                err.println("WARNING: --insecure-skip-verify: the server's host name is NOT verified; any certificate "
                        + "signed by " + ca + " is accepted");
            } else {
                b.insecureTrustAll();
                err.println("WARNING: --insecure-skip-verify: the server's certificate is NOT verified; the tunnel is "
                        + "encrypted but anyone in the path can impersonate the server");
            }
            err.flush();
        }
        return build(spec, b);
    }

    private static void requireTls(CommandSpec spec, String transport) {
        if (WITHOUT_TLS.contains(transport)) {
            throw usage(spec, "the " + transport + " transport has no TLS (it has no wire): use --transport nio, netty, "
                    + "grizzly or websocket with the --tls-* options");
        }
    }

    private static TlsOptions build(CommandSpec spec, TlsOptions.Builder b) {
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw usage(spec, e.getMessage());
        }
    }

    private static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code none}, {@code optional} or {@code required}, in any case. */
    static final class ClientAuthConverter implements ITypeConverter<TlsOptions.ClientAuth> {
        @Override
        public TlsOptions.ClientAuth convert(String value) {
            try {
                return TlsOptions.ClientAuth.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a client auth mode: write none, optional "
                        + "or required");
            }
        }
    }
}
