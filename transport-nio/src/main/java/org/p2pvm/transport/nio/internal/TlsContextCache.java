package org.p2pvm.transport.nio.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.tls.TlsContexts;

/**
 * The dialer's {@link SSLContext}s, built once per {@link TlsOptions} (loading PEM files and key
 * managers costs milliseconds; a shared context also lets TLS 1.3 resume sessions). Bounded: the
 * least recently used of more than {@value #MAX} contexts is dropped. Thread-safe.
 */
public final class TlsContextCache {
    private static final int MAX = 16;

    private final Map<TlsOptions, SSLContext> contexts = new LinkedHashMap<>(MAX, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TlsOptions, SSLContext> eldest) {
            return size() > MAX;
        }
    };

    /**
     * The context for {@code options}.
     *
     * @throws IllegalArgumentException when the key or trust material cannot be loaded
     */
    public synchronized SSLContext get(TlsOptions options) {
        SSLContext c = contexts.get(options);
        if (c == null) {
            c = TlsContexts.context(options);
            contexts.put(options, c);
        }
        return c;
    }
}
