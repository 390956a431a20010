package org.p2pvm.examples.cli;

import java.net.URI;
import java.util.Iterator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.p2pvm.VmAddress;
import org.p2pvm.spi.Transports;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The tool's argument types. Each converter turns a wrong value into a
 * {@link TypeConversionException} whose message says what is expected, so picocli reports it as a
 * usage error (exit code 2) in one line.
 */
final class Converters {
    private Converters() {
    }

    /** A virtual address such as {@code [::99]:11139}; the message of {@link VmAddress#parse} otherwise. */
    static final class VmAddressConverter implements ITypeConverter<VmAddress> {
        @Override
        public VmAddress convert(String value) {
            try {
                return VmAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A transport name known to {@link Transports}; the message lists the available ones otherwise. */
    static final class TransportNameConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                return Transports.provider(value).name();
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** The transports found now, for {@code ${COMPLETION-CANDIDATES}} in help texts. */
    static final class TransportNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Transports.names().iterator();
        }
    }

    /**
     * A byte count: a number, optionally followed by {@code k}/{@code KiB}, {@code m}/{@code MiB}
     * or {@code g}/{@code GiB} (binary multiples), e.g. {@code 65536}, {@code 64k}, {@code 1MiB}.
     */
    static final class ByteSizeConverter implements ITypeConverter<Long> {
        private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);

        @Override
        public Long convert(String value) {
            Matcher m = SIZE.matcher(value.trim());
            if (!m.matches() || m.group(3) != null && m.group(2).isEmpty() && !m.group(3).equalsIgnoreCase("b")) {
                throw new TypeConversionException("'" + value
                        + "' is not a byte count: write a number such as 65536, 64k or 1MiB");
            }
            long n = Long.parseLong(m.group(1));
            int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "k" -> 10;
                case "m" -> 20;
                case "g" -> 30;
                default -> 0;
            };
            if (n > Long.MAX_VALUE >> shift) {
                throw new TypeConversionException("'" + value + "' is too large");
            }
            return n << shift;
        }
    }

    /** Where {@code serve} accepts carriers: {@code HOST:PORT} (port 0 picks one) or a URI. */
    static final class BindEndpointConverter implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            return Endpoints.parse(value, 0);
        }
    }

    /** The peer {@code connect} dials: {@code HOST:PORT} or a URI. */
    static final class PeerEndpointConverter implements ITypeConverter<URI> {
        @Override
        public URI convert(String value) {
            return Endpoints.parse(value, 1);
        }
    }

    /** Parses {@code HOST:PORT} and URIs into the URIs {@link org.p2pvm.spi.Transport} takes. */
    static final class Endpoints {
        private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^:\\[\\]/@\\s]+):(\\d{1,5})");
        private static final Pattern OPAQUE = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:[^/\\s].*");

        private Endpoints() {
        }

        /**
         * {@code HOST:PORT} becomes {@code tcp://HOST:PORT} (every transport takes it; the websocket
         * transport reads it as {@code ws://HOST:PORT/p2pvm}); {@code scheme://...} and opaque URIs
         * such as {@code memory:name} pass unchanged.
         */
        static URI parse(String value, int minPort) {
            String text = value.trim();
            Matcher hp = HOST_PORT.matcher(text);
            if (hp.matches()) {
                int port = Integer.parseInt(hp.group(2));
                if (port < minPort || port > 65535) {
                    throw new TypeConversionException("'" + value + "': port " + port + " is out of range "
                            + minPort + "..65535");
                }
                return uri("tcp://" + hp.group(1) + ":" + port, value);
            }
            if (text.contains("://")) {
                URI uri = uri(text, value);
                if (uri.getHost() == null) {
                    throw new TypeConversionException("'" + value + "' has no host: write e.g. ws://127.0.0.1:9988/p2pvm");
                }
                return uri;
            }
            if (OPAQUE.matcher(text).matches() && !text.matches(".*:\\d+")) {
                return uri(text, value);
            }
            String hint = text.indexOf(':') != text.lastIndexOf(':')
                    ? " (write IPv6 hosts in brackets, e.g. [::1]:9988)" : "";
            throw new TypeConversionException("'" + value + "' is not HOST:PORT or a URI: write e.g. 127.0.0.1:9988, "
                    + "tcp://127.0.0.1:9988 or ws://127.0.0.1:9988/p2pvm" + hint);
        }

        private static URI uri(String text, String original) {
            try {
                return new URI(text);
            } catch (java.net.URISyntaxException e) {
                throw new TypeConversionException("'" + original + "' is not a valid URI: " + e.getReason());
            }
        }
    }
}
