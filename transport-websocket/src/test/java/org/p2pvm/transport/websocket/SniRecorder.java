package org.p2pvm.transport.websocket;

import java.security.Principal;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;
import org.p2pvm.engine.contract.DelegatingKeyManager;
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

    private final class Recording extends DelegatingKeyManager {
        Recording(X509ExtendedKeyManager d) {
            super(d);
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
            return delegate.chooseEngineServerAlias(keyType, issuers, engine);
        }
    }
}
