package org.p2pvm.engine.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.p2pvm.TlsOptions;

/**
 * Turns {@link TlsOptions} into JDK TLS objects, the same way for every transport: an
 * {@link SSLContext} from a PKCS#12 store or PEM files, and {@link SSLEngine}s / {@link SSLParameters}
 * with the allowed protocols, client authentication, SNI and hostname verification applied.
 *
 * <p>PEM private keys must be PKCS#8 ({@code BEGIN PRIVATE KEY}); RSA, EC and EdDSA keys are read.
 * Thread-safe; contexts are cheap to share and should be built once per transport.
 */
public final class TlsContexts {
    private static final char[] NO_PASSWORD = new char[0];

    private TlsContexts() {
    }

    /** The SSLContext the options describe (built from files unless one was given). */
    public static SSLContext context(TlsOptions o) {
        if (o.sslContext() != null) {
            return o.sslContext();
        }
        try {
            KeyManager[] keys = keyManagers(o);
            TrustManager[] trust = trustManagers(o);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("tls: cannot load key or trust material (" + e.getMessage() + ")", e);
        }
    }

    /**
     * An engine for one carrier.
     *
     * @param client true on the dialer
     * @param peerHost the dialled host (dialer), used for SNI and hostname verification unless the
     *     options name a server; ignored on the acceptor
     */
    public static SSLEngine engine(SSLContext ctx, TlsOptions o, boolean client, String peerHost, int peerPort) {
        // the engine's peer host is what the JDK trust manager falls back to when the SNI name does not
        // match: with a server name given, that must be the server name too, or a certificate for the
        // dialled address would pass although the options name another server
        String host = client && o.serverName() != null ? o.serverName() : peerHost;
        SSLEngine e = client && host != null ? ctx.createSSLEngine(host, peerPort) : ctx.createSSLEngine();
        e.setUseClientMode(client);
        e.setSSLParameters(parameters(o, client, peerHost, e.getSSLParameters()));
        return e;
    }

    /** The parameters for one side, starting from {@code base} (e.g. an engine's or a client's defaults). */
    public static SSLParameters parameters(TlsOptions o, boolean client, String peerHost, SSLParameters base) {
        SSLParameters p = base;
        p.setProtocols(o.protocols().toArray(String[]::new));
        if (client) {
            String name = o.serverName() != null ? o.serverName() : peerHost;
            if (name != null && isHostName(name)) {
                p.setServerNames(List.of(new SNIHostName(name)));
            } else if (name != null) {
                p.setServerNames(List.of()); // an IP literal: no SNI, and none left over from base
            }
            p.setEndpointIdentificationAlgorithm(o.hostnameVerification() ? "HTTPS" : null);
        } else {
            switch (o.clientAuth()) {
                case REQUIRED -> p.setNeedClientAuth(true);
                case OPTIONAL -> p.setWantClientAuth(true);
                default -> {
                    p.setNeedClientAuth(false);
                    p.setWantClientAuth(false);
                }
            }
        }
        return p;
    }

    private static boolean isHostName(String s) {
        // SNI carries DNS names only, never IP literals
        return !s.isEmpty() && !s.contains(":") && !s.matches("[0-9.]+");
    }

    /**
     * This end's key material as a factory, for TLS stacks that take factories rather than an
     * {@link SSLContext} (Netty's OpenSSL engine); null when the options have no key material or
     * carry a ready context.
     */
    public static KeyManagerFactory keyManagerFactory(TlsOptions o) {
        try {
            return o.sslContext() != null ? null : keyFactory(o);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("tls: cannot load key material (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The trust the options describe as one trust manager, for the same stacks; null means the JDK's
     * default trust (or a ready context, which carries its own).
     */
    public static TrustManager trustManager(TlsOptions o) {
        try {
            TrustManager[] all = o.sslContext() != null ? null : trustManagers(o);
            return all == null || all.length == 0 ? null : all[0];
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("tls: cannot load trust material (" + e.getMessage() + ")", e);
        }
    }

    private static KeyManager[] keyManagers(TlsOptions o) throws GeneralSecurityException, IOException {
        KeyManagerFactory kmf = keyFactory(o);
        return kmf == null ? null : kmf.getKeyManagers();
    }

    private static KeyManagerFactory keyFactory(TlsOptions o) throws GeneralSecurityException, IOException {
        KeyStore ks;
        char[] password;
        if (o.keyStore() != null) {
            password = o.keyStorePassword() == null ? NO_PASSWORD : o.keyStorePassword();
            ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(o.keyStore())) {
                ks.load(in, password);
            }
        } else if (o.certificateChainPem() != null) {
            password = NO_PASSWORD;
            ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            List<Certificate> chain = readCertificates(o.certificateChainPem());
            ks.setKeyEntry("key", readPrivateKey(o.privateKeyPem()), password, chain.toArray(Certificate[]::new));
        } else {
            return null;
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        return kmf;
    }

    private static TrustManager[] trustManagers(TlsOptions o) throws GeneralSecurityException, IOException {
        if (o.trustAll()) {
            return new TrustManager[] {new TrustEverything()};
        }
        KeyStore ts;
        if (o.trustStore() != null) {
            ts = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(o.trustStore())) {
                ts.load(in, o.trustStorePassword() == null ? NO_PASSWORD : o.trustStorePassword());
            }
        } else if (o.trustedCertificatesPem() != null) {
            ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            int i = 0;
            for (Certificate c : readCertificates(o.trustedCertificatesPem())) {
                ts.setCertificateEntry("ca" + i++, c);
            }
        } else {
            return null; // the JDK's default trust
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }

    /** Reads every certificate of a PEM (or DER) file. */
    public static List<Certificate> readCertificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new GeneralSecurityException("no certificate in " + file);
            }
            return new ArrayList<>(certs);
        }
    }

    /** Reads a PKCS#8 PEM private key (RSA, EC or EdDSA). */
    public static PrivateKey readPrivateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
            throw new GeneralSecurityException(file + " holds a PKCS#1/SEC1 key; convert it to PKCS#8 with "
                    + "'openssl pkcs8 -topk8 -nocrypt -in " + file + " -out key.pem'");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < 0) {
            throw new GeneralSecurityException("no 'BEGIN PRIVATE KEY' block in " + file);
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key in " + file, last);
    }

    /** The trust manager of {@link TlsOptions.Builder#insecureTrustAll()}: accepts any certificate. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
