package org.p2pvm.transport.websocket.internal;

import java.nio.ByteBuffer;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.List;
import java.util.function.BiFunction;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.tls.TlsContexts;

/**
 * The dialer's {@link SSLContext} for the JDK HTTP client, so that {@code wss://} honours
 * {@link TlsOptions} like the TCP transports do. The JDK client (17) overwrites the parameters it is
 * given on every engine: it always sets endpoint identification {@code HTTPS} and sends the URI's
 * host as SNI. This context hands the client engines that re-apply the options instead, via
 * {@link TlsContexts#parameters}:
 * <ul>
 *   <li>{@link TlsOptions#serverName()}: the engine's peer host and the SNI name are the server name,
 *       so the certificate is verified against it (not against the dialled host);</li>
 *   <li>{@link TlsOptions#hostnameVerification()} off ({@code insecureSkipHostnameVerification},
 *       {@code insecureTrustAll}): endpoint identification is cleared, so the trust manager checks
 *       the chain only (and with {@code insecureTrustAll} accepts any chain).</li>
 * </ul>
 * Everything else (key and trust material, sessions, ALPN) is the wrapped context's. Thread-safe.
 */
public final class ClientTlsContext extends SSLContext {
    private ClientTlsContext(SSLContextSpi spi, SSLContext delegate) {
        super(spi, delegate.getProvider(), delegate.getProtocol());
    }

    /** A context whose client engines follow {@code options}; {@code context} is built from them. */
    public static SSLContext wrap(SSLContext context, TlsOptions options) {
        return new ClientTlsContext(new Spi(context, options), context);
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext delegate;
        private final TlsOptions options;

        Spi(SSLContext delegate, TlsOptions options) {
            this.delegate = delegate;
            this.options = options;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            throw new KeyManagementException("already initialised from TlsOptions");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return delegate.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return delegate.getServerSocketFactory();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return engine(options.serverName(), -1);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return engine(options.serverName() != null ? options.serverName() : host, port);
        }

        private SSLEngine engine(String peerHost, int port) {
            SSLEngine inner = peerHost == null ? delegate.createSSLEngine() : delegate.createSSLEngine(peerHost, port);
            return new PinnedEngine(inner, (p, host) -> TlsContexts.parameters(options, true, host, p));
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return delegate.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return delegate.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return delegate.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return delegate.getSupportedSSLParameters();
        }
    }

    /** Delegates everything; parameters set from outside pass through {@code fix} first. */
    private static final class PinnedEngine extends SSLEngine {
        private final SSLEngine d;
        private final BiFunction<SSLParameters, String, SSLParameters> fix;

        PinnedEngine(SSLEngine d, BiFunction<SSLParameters, String, SSLParameters> fix) {
            super(d.getPeerHost(), d.getPeerPort());
            this.d = d;
            this.fix = fix;
            d.setSSLParameters(fix.apply(d.getSSLParameters(), d.getPeerHost()));
        }

        @Override
        public void setSSLParameters(SSLParameters params) {
            d.setSSLParameters(fix.apply(params, d.getPeerHost()));
        }

        @Override
        public SSLParameters getSSLParameters() {
            return d.getSSLParameters();
        }

        @Override
        public SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length, ByteBuffer dst) throws SSLException {
            return d.wrap(srcs, offset, length, dst);
        }

        @Override
        public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
            return d.wrap(src, dst);
        }

        @Override
        public SSLEngineResult wrap(ByteBuffer[] srcs, ByteBuffer dst) throws SSLException {
            return d.wrap(srcs, dst);
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int offset, int length) throws SSLException {
            return d.unwrap(src, dsts, offset, length);
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
            return d.unwrap(src, dst);
        }

        @Override
        public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts) throws SSLException {
            return d.unwrap(src, dsts);
        }

        @Override
        public Runnable getDelegatedTask() {
            return d.getDelegatedTask();
        }

        @Override
        public void closeInbound() throws SSLException {
            d.closeInbound();
        }

        @Override
        public boolean isInboundDone() {
            return d.isInboundDone();
        }

        @Override
        public void closeOutbound() {
            d.closeOutbound();
        }

        @Override
        public boolean isOutboundDone() {
            return d.isOutboundDone();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return d.getSupportedCipherSuites();
        }

        @Override
        public String[] getEnabledCipherSuites() {
            return d.getEnabledCipherSuites();
        }

        @Override
        public void setEnabledCipherSuites(String[] suites) {
            d.setEnabledCipherSuites(suites);
        }

        @Override
        public String[] getSupportedProtocols() {
            return d.getSupportedProtocols();
        }

        @Override
        public String[] getEnabledProtocols() {
            return d.getEnabledProtocols();
        }

        @Override
        public void setEnabledProtocols(String[] protocols) {
            d.setEnabledProtocols(protocols);
        }

        @Override
        public SSLSession getSession() {
            return d.getSession();
        }

        @Override
        public SSLSession getHandshakeSession() {
            return d.getHandshakeSession();
        }

        @Override
        public void beginHandshake() throws SSLException {
            d.beginHandshake();
        }

        @Override
        public SSLEngineResult.HandshakeStatus getHandshakeStatus() {
            return d.getHandshakeStatus();
        }

        @Override
        public void setUseClientMode(boolean mode) {
            d.setUseClientMode(mode);
        }

        @Override
        public boolean getUseClientMode() {
            return d.getUseClientMode();
        }

        @Override
        public void setNeedClientAuth(boolean need) {
            d.setNeedClientAuth(need);
        }

        @Override
        public boolean getNeedClientAuth() {
            return d.getNeedClientAuth();
        }

        @Override
        public void setWantClientAuth(boolean want) {
            d.setWantClientAuth(want);
        }

        @Override
        public boolean getWantClientAuth() {
            return d.getWantClientAuth();
        }

        @Override
        public void setEnableSessionCreation(boolean flag) {
            d.setEnableSessionCreation(flag);
        }

        @Override
        public boolean getEnableSessionCreation() {
            return d.getEnableSessionCreation();
        }

        @Override
        public String getApplicationProtocol() {
            return d.getApplicationProtocol();
        }

        @Override
        public String getHandshakeApplicationProtocol() {
            return d.getHandshakeApplicationProtocol();
        }

        @Override
        public void setHandshakeApplicationProtocolSelector(BiFunction<SSLEngine, List<String>, String> selector) {
            d.setHandshakeApplicationProtocolSelector(selector);
        }

        @Override
        public BiFunction<SSLEngine, List<String>, String> getHandshakeApplicationProtocolSelector() {
            return d.getHandshakeApplicationProtocolSelector();
        }

        @Override
        public String toString() {
            return d.toString();
        }
    }
}
