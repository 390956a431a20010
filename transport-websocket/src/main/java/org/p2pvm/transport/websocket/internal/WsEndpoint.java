package org.p2pvm.transport.websocket.internal;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A parsed peer or bind URI of the websocket transport: {@code ws://host:port/path},
 * {@code wss://host:port/path}, or {@code tcp://host:port} as shorthand for
 * {@code ws://host:port/p2pvm} (the command line passes {@code tcp://} URIs to every transport).
 *
 * <p>Immutable value; built on any thread.
 *
 * @param uri the normalised {@code ws://} or {@code wss://} URI (path present, query kept)
 * @param host the host without brackets
 * @param port the explicit port, or 80 / 443 when the URI has none
 * @param path the path, {@code /p2pvm} when the URI has none
 * @param secure whether the scheme is {@code wss}
 */
public record WsEndpoint(URI uri, String host, int port, String path, boolean secure) {
    /** The endpoint path used when a URI names none. */
    public static final String DEFAULT_PATH = "/p2pvm";

    private static final String FORMS = "write ws://HOST:PORT/PATH, wss://HOST:PORT/PATH or tcp://HOST:PORT"
            + " (= ws://HOST:PORT" + DEFAULT_PATH + ")";

    /**
     * Parses {@code uri}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static WsEndpoint parse(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("no URI given: " + FORMS);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean secure;
        switch (scheme) {
            case "ws":
            case "tcp":
                secure = false;
                break;
            case "wss":
                secure = true;
                break;
            default:
                throw new IllegalArgumentException("'" + uri + "' has scheme '" + uri.getScheme()
                        + "' but the websocket transport speaks ws, wss and tcp: " + FORMS);
        }
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("'" + uri + "' has no host: " + FORMS);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort();
        if (port < 0) {
            if (scheme.equals("tcp")) {
                throw new IllegalArgumentException("'" + uri + "' has no port: " + FORMS);
            }
            port = secure ? 443 : 80;
        }
        String path = uri.getRawPath();
        if (scheme.equals("tcp") || path == null || path.isEmpty()) {
            path = DEFAULT_PATH;
        }
        String query = scheme.equals("tcp") ? null : uri.getRawQuery();
        String hostPart = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        URI ws;
        try {
            ws = new URI((secure ? "wss" : "ws") + "://" + hostPart + ":" + port + path
                    + (query == null ? "" : "?" + query));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + uri + "' is not a valid WebSocket URI: " + e.getMessage(), e);
        }
        return new WsEndpoint(ws, host, port, path, secure);
    }

    /**
     * Applies the tunnel's TLS settings: {@code tcp://} becomes {@code wss://} when TLS is set (the
     * command line passes {@code tcp://} to every transport); an explicit {@code ws://} with TLS set
     * is refused rather than silently sent in the clear.
     *
     * @param uri the URI as given (to tell {@code tcp://} from {@code ws://})
     * @param tls whether {@code TunnelOptions.tls()} is set
     */
    public WsEndpoint withTls(URI uri, boolean tls) {
        if (!tls || secure) {
            return this;
        }
        if (!"tcp".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("'" + uri + "' is plaintext ws:// but TLS settings are set;"
                    + " write wss://" + this.uri.getRawAuthority() + path);
        }
        return parse(URI.create("wss://" + this.uri.getRawAuthority() + path));
    }

    /** The same endpoint with another port (the real one after binding port 0). */
    public WsEndpoint withPort(int newPort) {
        return parse(URI.create(uri.toString().replaceFirst(":" + port + "/", ":" + newPort + "/")));
    }

    /** The host and port, unresolved (no DNS lookup). */
    public InetSocketAddress unresolvedAddress() {
        return InetSocketAddress.createUnresolved(host, port);
    }
}
