package org.p2pvm.engine.tls;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
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
            SSLContext cc = TlsContexts.context(client);
            SSLContext sc = TlsContexts.context(server);
            SSLEngine c = TlsContexts.engine(cc, client, true, host, 443);
            SSLEngine s = TlsContexts.engine(sc, server, false, null, 0);
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
