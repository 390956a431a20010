package org.p2pvm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * TLS settings for the carrier, the same for every transport (nio, netty, grizzly, websocket): set
 * once on {@link TunnelOptions.Builder#tls(TlsOptions)}. The VM layer authenticates peers with its
 * token; TLS adds encryption and certificate-based identity on the carrier (PROTOCOL.md §1: a TCP
 * connection, optionally TLS).
 *
 * <p>Key and trust material come either from a ready {@link SSLContext} or from files: a PKCS#12
 * key store, or PEM files (certificate chain + PKCS#8 private key; CA certificates for trust).
 * Defaults: TLS 1.3 and 1.2 only, no client certificate asked, and on the dialer hostname
 * verification against the dialled host (or {@link #serverName()}), which is also sent as SNI.
 * Turning verification off is explicit ({@link Builder#insecureSkipHostnameVerification()}).
 *
 * <p>Immutable. Passwords are kept as given and never printed by {@link #toString()}.
 */
public final class TlsOptions {
    /** Whether the acceptor asks the dialer for a certificate. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRED }

    /** The protocols allowed by default: nothing older than TLS 1.2. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final SSLContext sslContext;
    private final Path keyStore;
    private final char[] keyStorePassword;
    private final Path certificateChainPem;
    private final Path privateKeyPem;
    private final Path trustStore;
    private final char[] trustStorePassword;
    private final Path trustedCertificatesPem;
    private final ClientAuth clientAuth;
    private final List<String> protocols;
    private final String serverName;
    private final boolean hostnameVerification;
    private final boolean trustAll;

    private TlsOptions(Builder b) {
        this.sslContext = b.sslContext;
        this.keyStore = b.keyStore;
        this.keyStorePassword = b.keyStorePassword;
        this.certificateChainPem = b.certificateChainPem;
        this.privateKeyPem = b.privateKeyPem;
        this.trustStore = b.trustStore;
        this.trustStorePassword = b.trustStorePassword;
        this.trustedCertificatesPem = b.trustedCertificatesPem;
        this.clientAuth = b.clientAuth;
        this.protocols = List.copyOf(b.protocols);
        this.serverName = b.serverName;
        this.hostnameVerification = b.hostnameVerification;
        this.trustAll = b.trustAll;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A ready context, or null when the material comes from files. */
    public SSLContext sslContext() {
        return sslContext;
    }

    /** PKCS#12 key store with this end's key and certificate chain, or null. */
    public Path keyStore() {
        return keyStore;
    }

    public char[] keyStorePassword() {
        return keyStorePassword == null ? null : keyStorePassword.clone();
    }

    /** PEM certificate chain (this end's certificate first), or null. */
    public Path certificateChainPem() {
        return certificateChainPem;
    }

    /** PEM PKCS#8 private key matching {@link #certificateChainPem()}, or null. */
    public Path privateKeyPem() {
        return privateKeyPem;
    }

    /** PKCS#12 trust store, or null. */
    public Path trustStore() {
        return trustStore;
    }

    public char[] trustStorePassword() {
        return trustStorePassword == null ? null : trustStorePassword.clone();
    }

    /** PEM file of trusted CA certificates, or null (then the JDK's default trust applies). */
    public Path trustedCertificatesPem() {
        return trustedCertificatesPem;
    }

    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** Allowed protocol versions, e.g. {@code TLSv1.3}. */
    public List<String> protocols() {
        return protocols;
    }

    /** Name for SNI and hostname verification on the dialer; null means the dialled host. */
    public String serverName() {
        return serverName;
    }

    /** Whether the dialer checks the acceptor's certificate names the host (on by default). */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /** Whether the dialer accepts any certificate (only ever set by {@link Builder#insecureTrustAll()}). */
    public boolean trustAll() {
        return trustAll;
    }

    /** Whether this end has its own key (required on the acceptor). */
    public boolean hasKeyMaterial() {
        return sslContext != null || keyStore != null || certificateChainPem != null;
    }

    @Override
    public String toString() {
        return "TlsOptions{" + (sslContext != null ? "sslContext" : keyStore != null ? "keyStore=" + keyStore
                : certificateChainPem != null ? "pem=" + certificateChainPem : "no key")
                + ", trust=" + (trustAll ? "ALL (insecure)" : trustStore != null ? trustStore
                        : trustedCertificatesPem != null ? trustedCertificatesPem : "JDK default")
                + ", clientAuth=" + clientAuth + ", protocols=" + protocols
                + ", serverName=" + serverName + ", hostnameVerification=" + hostnameVerification + '}';
    }

    /** Builds {@link TlsOptions}; {@link #build()} checks that files exist and settings agree. */
    public static final class Builder {
        private SSLContext sslContext;
        private Path keyStore;
        private char[] keyStorePassword;
        private Path certificateChainPem;
        private Path privateKeyPem;
        private Path trustStore;
        private char[] trustStorePassword;
        private Path trustedCertificatesPem;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private String serverName;
        private boolean hostnameVerification = true;
        private boolean trustAll;

        private Builder() {
        }

        /** Uses a ready context (key and trust managers inside); file settings must then be absent. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        public Builder keyStore(Path pkcs12, char[] password) {
            this.keyStore = pkcs12;
            this.keyStorePassword = password == null ? null : password.clone();
            return this;
        }

        public Builder pemKey(Path certificateChain, Path privateKey) {
            this.certificateChainPem = certificateChain;
            this.privateKeyPem = privateKey;
            return this;
        }

        public Builder trustStore(Path pkcs12, char[] password) {
            this.trustStore = pkcs12;
            this.trustStorePassword = password == null ? null : password.clone();
            return this;
        }

        public Builder trustedCertificates(Path pem) {
            this.trustedCertificatesPem = pem;
            return this;
        }

        public Builder clientAuth(ClientAuth mode) {
            this.clientAuth = mode;
            return this;
        }

        public Builder protocols(List<String> versions) {
            this.protocols = versions;
            return this;
        }

        public Builder serverName(String name) {
            this.serverName = name;
            return this;
        }

        /** Turns hostname verification off on the dialer: the certificate must still chain to a trusted CA. */
        public Builder insecureSkipHostnameVerification() {
            this.hostnameVerification = false;
            return this;
        }

        /** Accepts any certificate on the dialer: encryption without authentication. For trials only. */
        public Builder insecureTrustAll() {
            this.trustAll = true;
            this.hostnameVerification = false;
            return this;
        }

        /** @throws IllegalArgumentException naming the setting that is wrong and how to fix it */
        public TlsOptions build() {
            if (sslContext != null && (keyStore != null || certificateChainPem != null || trustStore != null
                    || trustedCertificatesPem != null)) {
                throw new IllegalArgumentException("tls: give either sslContext or key/trust files, not both");
            }
            if (keyStore != null && certificateChainPem != null) {
                throw new IllegalArgumentException("tls: give either keyStore (PKCS#12) or pemKey (PEM), not both");
            }
            if (trustStore != null && trustedCertificatesPem != null) {
                throw new IllegalArgumentException("tls: give either trustStore or trustedCertificates, not both");
            }
            if ((certificateChainPem == null) != (privateKeyPem == null)) {
                throw new IllegalArgumentException("tls: pemKey needs both the certificate chain and the private key");
            }
            readable("keyStore", keyStore);
            readable("pemKey certificate chain", certificateChainPem);
            readable("pemKey private key", privateKeyPem);
            readable("trustStore", trustStore);
            readable("trustedCertificates", trustedCertificatesPem);
            Objects.requireNonNull(clientAuth, "clientAuth");
            if (protocols == null || protocols.isEmpty()) {
                throw new IllegalArgumentException("tls: protocols must name at least one, e.g. TLSv1.3");
            }
            for (String p : protocols) {
                if (!p.equals("TLSv1.3") && !p.equals("TLSv1.2")) {
                    throw new IllegalArgumentException("tls: protocol '" + p
                            + "' is not allowed; use TLSv1.3 and/or TLSv1.2 (older versions are broken)");
                }
            }
            return new TlsOptions(this);
        }

        private static void readable(String what, Path p) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("tls: " + what + " file " + p + " does not exist or is not readable");
            }
        }
    }
}
