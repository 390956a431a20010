package org.p2pvm.transport.websocket;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;
import org.p2pvm.engine.contract.TestPki;

/**
 * A ready server {@link SSLContext} with a test PKI's server key whose key manager records the SNI
 * host name each client sent (the acceptor's view of what the dialer asked for). Thread-safe.
 */
final class SniRecorder {
    private static final char[] PASSWORD = "sni".toCharArray();
    private final TestPki pki;
    private volatile String last;

    SniRecorder(TestPki pki) {
        this.pki = pki;
    }

    /** The SNI host name of the latest handshake, or "(none)". */
    String last() {
        return last;
    }

    SSLContext context() throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(pki.serverKeys(PASSWORD), PASSWORD);
        X509ExtendedKeyManager inner = null;
        for (KeyManager k : kmf.getKeyManagers()) {
            if (k instanceof X509ExtendedKeyManager) {
                inner = (X509ExtendedKeyManager) k;
            }
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {new Recording(inner)}, null, null);
        return ctx;
    }

    private final class Recording extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager d;

        Recording(X509ExtendedKeyManager d) {
            this.d = d;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            SSLSession s = engine.getHandshakeSession();
            String name = "(none)";
            if (s instanceof ExtendedSSLSession) {
                for (SNIServerName n : ((ExtendedSSLSession) s).getRequestedServerNames()) {
                    if (n instanceof SNIHostName) {
                        name = ((SNIHostName) n).getAsciiName();
                    }
                }
            }
            last = name;
            return d.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return d.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return d.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return d.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return d.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return d.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return d.getPrivateKey(alias);
        }
    }
}
