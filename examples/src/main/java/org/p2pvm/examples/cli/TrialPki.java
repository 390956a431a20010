package org.p2pvm.examples.cli;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away PKI for trying TLS out ({@code p2pvm gen-cert}): a self-signed CA, a server
 * certificate for the given host names / IP addresses and a client certificate, EC P-256, written as
 * PEM (keys as unencrypted PKCS#8, readable by the owner only where the file system allows). The CA's
 * private key is not kept, so nothing more can be signed with it later: make a new set instead.
 * Certificate code by BouncyCastle (bcpkix), as in the contract kit's TestPki.
 */
final class TrialPki {
    static final List<String> FILES = List.of("ca.pem", "server.pem", "server-key.pem", "client.pem", "client-key.pem");

    private static final SecureRandom RANDOM = new SecureRandom();

    private TrialPki() {
    }

    /**
     * Writes the five files into {@code dir} (created if needed).
     *
     * @throws FileAlreadyExistsException when one of them exists and {@code overwrite} is false
     */
    static void write(Path dir, List<String> hosts, Duration validity, boolean overwrite)
            throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        if (!overwrite) {
            for (String f : FILES) {
                if (Files.exists(dir.resolve(f))) {
                    throw new FileAlreadyExistsException(dir.resolve(f).toString());
                }
            }
        }
        KeyPair ca = keyPair();
        X509Certificate caCert = sign(ca, "CN=p2pvm trial CA " + Long.toHexString(RANDOM.nextLong()), ca, null,
                true, List.of(), null, validity);
        KeyPair server = keyPair();
        X509Certificate serverCert = sign(server, "CN=" + hosts.get(0), ca, caCert, false, hosts,
                KeyPurposeId.id_kp_serverAuth, validity);
        KeyPair client = keyPair();
        X509Certificate clientCert = sign(client, "CN=p2pvm trial client", ca, caCert, false, List.of(),
                KeyPurposeId.id_kp_clientAuth, validity);
        writePem(dir.resolve("ca.pem"), caCert, false);
        writePem(dir.resolve("server.pem"), serverCert, false);
        writePem(dir.resolve("server-key.pem"), pkcs8(server), true);
        writePem(dir.resolve("client.pem"), clientCert, false);
        writePem(dir.resolve("client-key.pem"), pkcs8(client), true);
    }

    private static KeyPair keyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256, RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate sign(KeyPair subject, String dn, KeyPair issuerKey, X509Certificate issuer,
            boolean isCa, List<String> names, KeyPurposeId purpose, Duration validity) throws GeneralSecurityException {
        try {
            Instant now = Instant.now();
            X500Name issuerName = issuer == null ? new X500Name(dn)
                    : new X500Name(issuer.getSubjectX500Principal().getName());
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(64, RANDOM),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), new X500Name(dn),
                    subject.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (purpose != null) {
                b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            }
            if (!names.isEmpty()) {
                GeneralName[] alt = names.stream().map(n -> isIp(n)
                        ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n))
                        .toArray(GeneralName[]::new);
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate())));
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot make the certificate " + dn + ": " + e.getMessage(), e);
        }
    }

    static boolean isIp(String name) {
        return name.matches("[0-9.]+") || name.contains(":");
    }

    private static Object pkcs8(KeyPair kp) throws GeneralSecurityException {
        try {
            return new JcaPKCS8Generator(kp.getPrivate(), null).generate();
        } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static void writePem(Path file, Object pemObject, boolean secret) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(pemObject);
        }
        Files.deleteIfExists(file);
        if (secret && file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(file, sw.toString(), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
    }
}
