package org.p2pvm.engine.contract;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Principal;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.tls.TlsContexts;

/**
 * Throw-away PKI for TLS tests, made at run time (no private key is ever committed): a CA, a server
 * certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, and a client certificate,
 * written as PEM files into a directory. EC P-256 keys keep generation fast.
 */
public final class TestPki {
    private static final SecureRandom RANDOM = new SecureRandom();

    public final Path dir;
    public final Path caCert;
    public final Path serverCert;
    public final Path serverKey;
    public final Path clientCert;
    public final Path clientKey;

    private TestPki(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.pem");
        this.serverCert = dir.resolve("server.pem");
        this.serverKey = dir.resolve("server-key.pem");
        this.clientCert = dir.resolve("client.pem");
        this.clientKey = dir.resolve("client-key.pem");
    }

    /** A CA with a server certificate for the given names (default: localhost, 127.0.0.1, ::1). */
    public static TestPki create(Path dir, String... serverNames) throws Exception {
        Files.createDirectories(dir);
        TestPki pki = new TestPki(dir);
        KeyPair ca = keyPair();
        X509Certificate caCert = sign(ca, "CN=p2pvm test CA " + RANDOM.nextInt(1_000_000), ca, null, true, List.of());
        write(pki.caCert, caCert);
        KeyPair server = keyPair();
        List<String> names = serverNames.length == 0 ? List.of("localhost", "127.0.0.1", "::1") : List.of(serverNames);
        write(pki.serverCert, sign(server, "CN=" + names.get(0), ca, caCert, false, names));
        writeKey(pki.serverKey, server);
        KeyPair client = keyPair();
        write(pki.clientCert, sign(client, "CN=p2pvm test client", ca, caCert, false, List.of()));
        writeKey(pki.clientKey, client);
        return pki;
    }

    /** Acceptor settings: the server certificate, clients checked against this CA when asked. */
    public TlsOptions serverTls(TlsOptions.ClientAuth auth) {
        return TlsOptions.builder().pemKey(serverCert, serverKey).trustedCertificates(caCert).clientAuth(auth).build();
    }

    public TlsOptions serverTls() {
        return serverTls(TlsOptions.ClientAuth.NONE);
    }

    /** Dialer settings trusting this CA, with the client certificate. */
    public TlsOptions clientTls() {
        return TlsOptions.builder().pemKey(clientCert, clientKey).trustedCertificates(caCert).build();
    }

    /** Dialer settings trusting this CA, without a client certificate. */
    public TlsOptions clientTlsWithoutCertificate() {
        return TlsOptions.builder().trustedCertificates(caCert).build();
    }

    /** The server key and chain as a PKCS#12 key store file, made now with the KeyStore API. */
    public Path serverKeyStore(char[] password) {
        return writeStore(dir.resolve("server.p12"), keyStore(serverCert, serverKey, password), password);
    }

    /** The client key and chain as a PKCS#12 key store file. */
    public Path clientKeyStore(char[] password) {
        return writeStore(dir.resolve("client.p12"), keyStore(clientCert, clientKey, password), password);
    }

    /** The CA certificate as a PKCS#12 trust store file. */
    public Path trustStore(char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", TlsContexts.readCertificates(caCert).get(0));
            return writeStore(dir.resolve("trust.p12"), ks, password);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the PKCS#12 trust store", e);
        }
    }

    /**
     * A ready context with {@code keys} (a key store of this PKI, or null) and this CA as the only
     * trust, built with the plain JDK API (not TlsContexts), for "a given SSLContext" tests.
     */
    public SSLContext context(KeyStore keys, char[] password) {
        try {
            KeyManagerFactory kmf = null;
            if (keys != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, password);
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", TlsContexts.readCertificates(caCert).get(0));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make an SSLContext", e);
        }
    }

    /**
     * A dialer's context that offers this PKI's client certificate to any server that asks, whatever
     * CAs the server names (the JDK's key manager would offer nothing to a server naming another CA),
     * trusting {@code trustedCa}: for "an offered certificate is checked" tests.
     */
    public SSLContext clientContextAlwaysOffering(Path trustedCa) {
        try {
            char[] pw = "offer".toCharArray();
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(clientKeys(pw), pw);
            X509ExtendedKeyManager keys = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
            String alias = keys.getClientAliases("EC", null)[0];
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", TlsContexts.readCertificates(trustedCa).get(0));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[] {new AlwaysOffer(keys, alias)}, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make an SSLContext", e);
        }
    }

    /** Picks its one client alias for every request; everything else is the JDK key manager's. */
    private static final class AlwaysOffer extends DelegatingKeyManager {
        private final String alias;

        AlwaysOffer(X509ExtendedKeyManager d, String alias) {
            super(d);
            this.alias = alias;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return alias;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return alias;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return delegate.getClientAliases(keyType, null);
        }
    }

    /** The server key and chain in an in-memory PKCS#12 key store. */
    public KeyStore serverKeys(char[] password) {
        return keyStore(serverCert, serverKey, password);
    }

    /** The client key and chain in an in-memory PKCS#12 key store. */
    public KeyStore clientKeys(char[] password) {
        return keyStore(clientCert, clientKey, password);
    }

    private static KeyStore keyStore(Path chainPem, Path keyPem, char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            List<Certificate> chain = TlsContexts.readCertificates(chainPem);
            ks.setKeyEntry("key", TlsContexts.readPrivateKey(keyPem), password, chain.toArray(Certificate[]::new));
            return ks;
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a PKCS#12 key store", e);
        }
    }

    private static Path writeStore(Path file, KeyStore ks, char[] password) {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password);
            return file;
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + file, e);
        }
    }

    private static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256, RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(KeyPair subject, String dn, KeyPair issuerKey, X509Certificate issuer,
            boolean ca, List<String> names) throws Exception {
        Instant now = Instant.now();
        X500Name issuerName = issuer == null ? new X500Name(dn) : new X500Name(issuer.getSubjectX500Principal().getName());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(64, RANDOM),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), new X500Name(dn),
                subject.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        }
        if (!names.isEmpty()) {
            GeneralName[] alt = names.stream().map(n -> n.matches("[0-9.]+") || n.contains(":")
                    ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n))
                    .toArray(GeneralName[]::new);
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt));
        }
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate());
        return new JcaX509CertificateConverter().getCertificate(b.build(signer));
    }

    private static void write(Path file, Object pemObject) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(pemObject);
        }
        Files.writeString(file, sw.toString());
    }

    private static void writeKey(Path file, KeyPair kp) throws Exception {
        write(file, new JcaPKCS8Generator(kp.getPrivate(), null).generate());
    }
}
