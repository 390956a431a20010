package org.p2pvm.engine.tls;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.contract.TestPki;

/** TlsContexts: contexts from PEM files, and the checks every transport inherits from it. */
class TlsContextsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki otherPki;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create(dir.resolve("a"));
        otherPki = TestPki.create(dir.resolve("b"));
    }

    /** Runs a TLS handshake between two engines in memory; returns null on success, else the failure. */
    static Exception handshake(TlsOptions client, TlsOptions server, String host) {
        try {
            return handshake(TlsContexts.engine(TlsContexts.context(client), client, true, host, 443),
                    TlsContexts.engine(TlsContexts.context(server), server, false, null, 0));
        } catch (Exception e) {
            return e;
        }
    }

    /** Runs a TLS handshake between two given engines; null on success, else the failure. */
    static Exception handshake(SSLEngine c, SSLEngine s) {
        try {
            ByteBuffer cToS = ByteBuffer.allocate(1 << 17);
            ByteBuffer sToC = ByteBuffer.allocate(1 << 17);
            ByteBuffer app = ByteBuffer.allocate(1 << 17);
            ByteBuffer empty = ByteBuffer.allocate(0);
            c.beginHandshake();
            s.beginHandshake();
            for (int i = 0; i < 100; i++) {
                step(c, empty, cToS, sToC, app);
                step(s, empty, sToC, cToS, app);
                if (c.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING
                        && s.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
                    return null;
                }
            }
            return new IllegalStateException("handshake did not finish");
        } catch (Exception e) {
            return e;
        }
    }

    private static void step(SSLEngine e, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer app) throws SSLException {
        for (int k = 0; k < 10; k++) {
            switch (e.getHandshakeStatus()) {
                case NEED_WRAP -> e.wrap(empty, out);
                case NEED_UNWRAP -> {
                    in.flip();
                    SSLEngineResult r = e.unwrap(in, app);
                    in.compact();
                    if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                        return;
                    }
                }
                case NEED_TASK -> {
                    Runnable t;
                    while ((t = e.getDelegatedTask()) != null) {
                        t.run();
                    }
                }
                default -> {
                    return;
                }
            }
        }
    }

    @Test
    void trustedCertificate_forTheDialledHost_handshakes() {
        assertNull(handshake(pki.clientTlsWithoutCertificate(), pki.serverTls(), "localhost"));
    }

    @Test
    void wrongCa_isRejected() {
        Exception e = handshake(otherPki.clientTlsWithoutCertificate(), pki.serverTls(), "localhost");
        assertInstanceOf(SSLException.class, e);
    }

    @Test
    void hostnameMismatch_isRejected_unlessVerificationIsTurnedOff() {
        assertInstanceOf(SSLException.class, handshake(pki.clientTlsWithoutCertificate(), pki.serverTls(), "example.org"));
        TlsOptions lax = TlsOptions.builder().trustedCertificates(pki.caCert).insecureSkipHostnameVerification().build();
        assertNull(handshake(lax, pki.serverTls(), "example.org"));
    }

    @Test
    void clientCertificateRequired_andMissing_isRejected() {
        TlsOptions server = pki.serverTls(TlsOptions.ClientAuth.REQUIRED);
        assertInstanceOf(SSLException.class, handshake(pki.clientTlsWithoutCertificate(), server, "localhost"));
        assertNull(handshake(pki.clientTls(), server, "localhost"));
    }

    @Test
    void serverName_isWhatTheCertificateIsVerifiedAgainst_notTheDialledHost() {
        // the certificate names localhost: a server name it does not carry is rejected, even though
        // the dialled host matches (the engine's peer host is the server name, so no fallback)
        TlsOptions wrongName = TlsOptions.builder().trustedCertificates(pki.caCert).serverName("wrong.example").build();
        Exception e = handshake(wrongName, pki.serverTls(), "localhost");
        assertInstanceOf(SSLException.class, e);
        assertTrue(String.valueOf(e.getMessage()).contains("wrong.example"), String.valueOf(e.getMessage()));
        TlsOptions rightName = TlsOptions.builder().trustedCertificates(pki.caCert).serverName("localhost").build();
        assertNull(handshake(rightName, pki.serverTls(), "example.org"));
    }

    @Test
    void pkcs12KeyAndTrustStores_handshake_andAWrongPasswordIsReported() {
        char[] pw = "p12-secret".toCharArray();
        TlsOptions server = TlsOptions.builder().keyStore(pki.serverKeyStore(pw), pw)
                .trustStore(pki.trustStore(pw), pw).clientAuth(TlsOptions.ClientAuth.REQUIRED).build();
        TlsOptions client = TlsOptions.builder().keyStore(pki.clientKeyStore(pw), pw).trustStore(pki.trustStore(pw), pw)
                .build();
        assertNull(handshake(client, server, "localhost"));
        // the trust store is the only trust: another CA's server is rejected
        assertInstanceOf(SSLException.class, handshake(client, otherPki.serverTls(), "localhost"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> TlsContexts.context(
                TlsOptions.builder().keyStore(pki.serverKeyStore(pw), "wrong".toCharArray()).build()));
        assertTrue(bad.getMessage().startsWith("tls: cannot load key or trust material"), bad.getMessage());
    }

    @Test
    void readySslContext_isUsedAsIs_onBothEnds() {
        char[] pw = "ctx".toCharArray();
        SSLContext serverCtx = pki.context(pki.serverKeys(pw), pw);
        SSLContext clientCtx = pki.context(null, pw);
        TlsOptions server = TlsOptions.builder().sslContext(serverCtx).build();
        TlsOptions client = TlsOptions.builder().sslContext(clientCtx).build();
        assertSame(serverCtx, TlsContexts.context(server));
        assertSame(clientCtx, TlsContexts.context(client));
        assertNull(TlsContexts.keyManagerFactory(server), "a ready context carries its own keys");
        assertNull(handshake(client, server, "localhost"));
        // the options still apply on top of the context: hostname verification is on
        assertInstanceOf(SSLException.class, handshake(client, server, "example.org"));
    }

    @Test
    void clientAuthOptional_takesACertificateWhenGiven_andGoesOnWithout() throws Exception {
        TlsOptions server = pki.serverTls(TlsOptions.ClientAuth.OPTIONAL);
        SSLEngine s = TlsContexts.engine(TlsContexts.context(server), server, false, null, 0);
        assertTrue(s.getWantClientAuth() && !s.getNeedClientAuth(), "OPTIONAL asks without requiring");
        TlsOptions withCert = pki.clientTls();
        assertNull(handshake(TlsContexts.engine(TlsContexts.context(withCert), withCert, true, "localhost", 443), s));
        X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
        assertEquals("CN=p2pvm test client", peer.getSubjectX500Principal().getName());

        SSLEngine s2 = TlsContexts.engine(TlsContexts.context(server), server, false, null, 0);
        TlsOptions without = pki.clientTlsWithoutCertificate();
        assertNull(handshake(TlsContexts.engine(TlsContexts.context(without), without, true, "localhost", 443), s2));
        assertThrows(SSLPeerUnverifiedException.class, () -> s2.getSession().getPeerCertificates());

        // a certificate from another CA is still checked when offered
        TlsOptions rogue = TlsOptions.builder().sslContext(otherPki.clientContextAlwaysOffering(pki.caCert)).build();
        SSLEngine s3 = TlsContexts.engine(TlsContexts.context(server), server, false, null, 0);
        Exception e = handshake(TlsContexts.engine(TlsContexts.context(rogue), rogue, true, "localhost", 443), s3);
        assertInstanceOf(SSLException.class, e);
        assertTrue(e.getMessage().contains("certification path"), e.getMessage());
    }

    @Test
    void oldProtocols_areRefusedAtBuildTime() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsOptions.builder().protocols(java.util.List.of("TLSv1.1")).build());
        assertTrue(e.getMessage().contains("TLSv1.1"));
    }

    @Test
    void missingFile_isNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TlsOptions.builder().trustedCertificates(dir.resolve("nope.pem")).build());
        assertTrue(e.getMessage().contains("nope.pem"));
    }
}
