package org.p2pvm.transport.netty;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.tls.TlsContexts;

/**
 * The TLS of one netty dial or bind: makes an {@link SslHandler} per carrier from {@link TlsOptions},
 * with the JDK engine (as every transport) or, when netty-tcnative is on the class path, Netty's
 * OpenSSL/BoringSSL engine, which is faster (see docs/BENCHMARKS.md, TLS). Both get the same protocols,
 * client authentication, SNI and hostname verification from {@link TlsContexts}.
 *
 * <p>The provider is the transport property {@value #PROVIDER_PROPERTY}: {@code auto} (default:
 * OpenSSL when available, else JDK), {@code jdk}, or {@code openssl} (fails when netty-tcnative is
 * missing). Options carrying a ready {@link SSLContext} always use the JDK engine: that context is a
 * JDK object. Thread-safe; build once per dial/bind and share.
 */
final class NettyTls {
    /** Transport property choosing the TLS engine: auto, jdk or openssl. */
    static final String PROVIDER_PROPERTY = "netty.tls.provider";

    private final TlsOptions options;
    private final boolean client;
    private final SSLContext jdk;
    private final SslContext openssl;

    private NettyTls(TlsOptions options, boolean client, SSLContext jdk, SslContext openssl) {
        this.options = options;
        this.client = client;
        this.jdk = jdk;
        this.openssl = openssl;
    }

    /**
     * @param provider the {@value #PROVIDER_PROPERTY} value
     * @throws IllegalArgumentException when the provider is unknown, OpenSSL is asked for and missing,
     *     or the key/trust material cannot be loaded
     */
    static NettyTls of(TlsOptions options, boolean client, String provider) {
        String p = provider == null ? "auto" : provider.toLowerCase(Locale.ROOT);
        boolean useOpenSsl = switch (p) {
            case "auto" -> options.sslContext() == null && OpenSsl.isAvailable();
            case "jdk" -> false;
            case "openssl" -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalArgumentException(PROVIDER_PROPERTY + "=openssl but netty-tcnative is not usable ("
                            + OpenSsl.unavailabilityCause() + "); add io.netty:netty-tcnative-boringssl-static"
                            + " for this platform, or use " + PROVIDER_PROPERTY + "=jdk");
                }
                if (options.sslContext() != null) {
                    throw new IllegalArgumentException(PROVIDER_PROPERTY + "=openssl cannot use a ready SSLContext;"
                            + " give the key and trust material as files (TlsOptions.keyStore/pemKey/trust...)");
                }
                yield true;
            }
            default -> throw new IllegalArgumentException(PROVIDER_PROPERTY + "=" + provider
                    + " is not a TLS provider; use auto, jdk or openssl");
        };
        if (!useOpenSsl) {
            return new NettyTls(options, client, TlsContexts.context(options), null);
        }
        KeyManagerFactory keys = TlsContexts.keyManagerFactory(options);
        TrustManager trust = TlsContexts.trustManager(options);
        SslContextBuilder b;
        if (client) {
            b = SslContextBuilder.forClient();
            if (keys != null) {
                b.keyManager(keys);
            }
        } else {
            if (keys == null) {
                throw new IllegalArgumentException("tls: the acceptor needs a key and certificate"
                        + " (TlsOptions.keyStore or pemKey)");
            }
            b = SslContextBuilder.forServer(keys).clientAuth(switch (options.clientAuth()) {
                case REQUIRED -> ClientAuth.REQUIRE;
                case OPTIONAL -> ClientAuth.OPTIONAL;
                case NONE -> ClientAuth.NONE;
            });
        }
        if (trust != null) {
            b.trustManager(trust);
        }
        try {
            SslContext ctx = b.sslProvider(SslProvider.OPENSSL).protocols(options.protocols()).build();
            return new NettyTls(options, client, null, ctx);
        } catch (SSLException e) {
            throw new IllegalArgumentException("tls: cannot build the OpenSSL context (" + e.getMessage() + ")", e);
        }
    }

    /** "openssl" or "jdk": the engine this dial/bind uses. */
    String provider() {
        return openssl != null ? "openssl" : "jdk";
    }

    /**
     * A handler for one carrier.
     *
     * @param peerHost the dialled host (dialer, for SNI and hostname verification), null on the acceptor
     */
    SslHandler newHandler(ByteBufAllocator alloc, String peerHost, int peerPort) {
        if (openssl == null) {
            return new SslHandler(TlsContexts.engine(jdk, options, client, peerHost, peerPort));
        }
        // as TlsContexts.engine does for the JDK: a configured serverName is the name to verify, not the dialled host
        String host = client && options.serverName() != null ? options.serverName() : peerHost;
        SSLEngine e = client && host != null ? openssl.newEngine(alloc, host, peerPort) : openssl.newEngine(alloc);
        e.setSSLParameters(TlsContexts.parameters(options, client, peerHost, e.getSSLParameters()));
        return new SslHandler(e);
    }
}
