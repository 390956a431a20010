package org.p2pvm.transport.grizzly.internal;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.glassfish.grizzly.ssl.SSLBaseFilter;
import org.glassfish.grizzly.ssl.SSLEngineConfigurator;
import org.glassfish.grizzly.ssl.SSLFilter;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.tls.TlsContexts;

/**
 * Grizzly's own TLS filters, configured from {@link TlsOptions} through the engine's
 * {@link TlsContexts} so that protocols, SNI, hostname verification and client authentication are
 * the same as on every other transport. Grizzly's configurator would otherwise re-apply its own
 * settings to each engine; here it hands out the engine {@code TlsContexts} built, untouched.
 */
public final class TlsFilters {
    private TlsFilters() {
    }

    /** The acceptor's filter (server mode only). */
    public static SSLBaseFilter acceptor(TlsOptions tls) {
        return new SSLBaseFilter(new Configurator(TlsContexts.context(tls), tls, false, null, -1));
    }

    /**
     * The dialer's filter; {@code peerHost} is the dialled host name (SNI and hostname verification
     * unless the options name a server).
     */
    public static SSLFilter dialer(TlsOptions tls, String peerHost, int peerPort) {
        Configurator c = new Configurator(TlsContexts.context(tls), tls, true, peerHost, peerPort);
        return new SSLFilter(c, c);
    }

    /** Creates engines with {@link TlsContexts#engine} and leaves them as they are. */
    private static final class Configurator extends SSLEngineConfigurator {
        private final SSLContext context;
        private final TlsOptions tls;
        private final boolean client;
        private final String peerHost;
        private final int peerPort;

        Configurator(SSLContext context, TlsOptions tls, boolean client, String peerHost, int peerPort) {
            super(context, client, false, false);
            this.context = context;
            this.tls = tls;
            this.client = client;
            this.peerHost = peerHost;
            this.peerPort = peerPort;
        }

        @Override
        public SSLEngine createSSLEngine() {
            return TlsContexts.engine(context, tls, client, peerHost, peerPort);
        }

        @Override
        public SSLEngine createSSLEngine(String host, int port) {
            return createSSLEngine(); // the dialled name, not the resolved address Grizzly passes
        }

        @Override
        public SSLEngine configure(SSLEngine engine) {
            return engine;
        }
    }
}
