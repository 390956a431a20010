package org.p2pvm;

import java.util.Arrays;

/**
 * An address inside a tunnel's VM: a 16-byte IPv6 address and a 16-bit port (PROTOCOL.md §1).
 *
 * <p>Virtual addresses are names inside the tunnel. They are never resolved by DNS and have nothing
 * to do with the carrier's real addresses, so only IPv6 literals are accepted: {@code [::99]:11139},
 * {@code [2001:db8::1]:80}, {@code [::ffff:1.2.3.4]:80}. IPv4 text and host names are rejected. The
 * text form printed by {@link #toString()} follows RFC 5952 (lower case, longest zero run
 * compressed, IPv4-mapped addresses in mixed notation).
 *
 * <p>The parser is written by hand on purpose: {@link java.net.InetAddress} turns
 * {@code ::ffff:1.2.3.4} into an IPv4 address and would resolve host names.
 *
 * <p>Instances are immutable and thread-safe; {@link #addressBytes()} returns a copy.
 */
public final class VmAddress implements Comparable<VmAddress> {
    /** Largest valid port. */
    public static final int MAX_PORT = 0xFFFF;

    private static final byte[] ANY = new byte[16];

    private final byte[] address;
    private final int port;
    private final int hash;

    private VmAddress(byte[] address, int port) {
        this.address = address;
        this.port = port;
        this.hash = 31 * Arrays.hashCode(address) + port;
    }

    /**
     * Builds an address from 16 raw bytes and a port.
     *
     * @param address16 the IPv6 address, exactly 16 bytes (copied)
     * @param port 0 to 65535
     * @throws IllegalArgumentException when the length or port is wrong
     */
    public static VmAddress of(byte[] address16, int port) {
        if (address16 == null || address16.length != 16) {
            throw new IllegalArgumentException("a VM address needs exactly 16 bytes (IPv6), got "
                    + (address16 == null ? "null" : address16.length + " bytes"));
        }
        checkPort(port);
        return new VmAddress(address16.clone(), port);
    }

    /**
     * Builds an address from an IPv6 literal (without brackets) and a port, e.g.
     * {@code of("::99", 11139)}.
     */
    public static VmAddress of(String ipv6Literal, int port) {
        if (ipv6Literal == null) {
            throw new IllegalArgumentException("VM address is null: an IPv6 literal such as ::99 is required");
        }
        String text = ipv6Literal.startsWith("[") && ipv6Literal.endsWith("]")
                ? ipv6Literal.substring(1, ipv6Literal.length() - 1) : ipv6Literal;
        checkPort(port);
        return new VmAddress(parseIpv6(text, ipv6Literal), port);
    }

    /**
     * The wildcard address {@code [::]:port}, which listens on that port for every address (§1). The
     * same instance is returned for the same port: a tunnel's ephemeral source ports are all on
     * {@code ::}, and a million idle streams should not carry a million copies of them.
     */
    public static VmAddress any(int port) {
        checkPort(port);
        VmAddress[] cache = AnyCache.PORTS;
        VmAddress a = cache[port];
        if (a == null) {
            // a benign race: two threads may each build one; both are equal and immutable (final fields)
            a = new VmAddress(ANY, port);
            cache[port] = a;
        }
        return a;
    }

    /** Built on first use of {@link #any}: 64 Ki references, filled lazily. */
    private static final class AnyCache {
        static final VmAddress[] PORTS = new VmAddress[MAX_PORT + 1];
    }

    /**
     * Parses {@code [ipv6]:port}, for example {@code [::99]:11139}.
     *
     * @throws IllegalArgumentException with a message that says an IPv6 literal is required when the
     *     text is IPv4, a host name, lacks brackets or a port, or the port is out of range
     */
    public static VmAddress parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty VM address: write an IPv6 literal and port such as [::99]:11139");
        }
        String s = text.trim();
        if (!s.startsWith("[")) {
            throw new IllegalArgumentException(describeNonBracketed(s));
        }
        int close = s.indexOf(']');
        if (close < 0) {
            throw new IllegalArgumentException("'" + text + "' is not a VM address: missing ']'"
                    + "; write an IPv6 literal and port such as [::99]:11139");
        }
        if (close + 1 >= s.length() || s.charAt(close + 1) != ':' || close + 2 >= s.length()) {
            throw new IllegalArgumentException("'" + text + "' is not a VM address: missing port after ']'"
                    + "; write an IPv6 literal and port such as [::99]:11139");
        }
        String portText = s.substring(close + 2);
        int port = parsePort(portText, text);
        byte[] bytes = parseIpv6(s.substring(1, close), text);
        return new VmAddress(bytes, port);
    }

    private static String describeNonBracketed(String s) {
        String hint = "; a VM address needs an IPv6 literal in brackets and a port, such as [::99]:11139";
        String host = s.contains(":") && s.indexOf(':') == s.lastIndexOf(':') ? s.substring(0, s.indexOf(':')) : s;
        if (looksLikeIpv4(host)) {
            return "'" + s + "' is IPv4: VM addresses are IPv6 only" + hint + " (or [::ffff:" + host + "]:PORT)";
        }
        if (s.indexOf(':') != s.lastIndexOf(':')) {
            return "'" + s + "' lacks brackets" + hint;
        }
        return "'" + s + "' is not an IPv6 literal (host names are never resolved in a tunnel)" + hint;
    }

    private static boolean looksLikeIpv4(String s) {
        return s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static int parsePort(String portText, String whole) {
        if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + whole + "' has a bad port '" + portText
                    + "': a port is a number from 0 to 65535, as in [::99]:11139");
        }
        int port = Integer.parseInt(portText);
        checkPort(port, whole);
        return port;
    }

    private static void checkPort(int port) {
        if (port < 0 || port > MAX_PORT) {
            checkPort(port, null); // the message is only built when it is needed
        }
    }

    private static void checkPort(int port, String whole) {
        if (port < 0 || port > MAX_PORT) {
            throw new IllegalArgumentException((whole == null ? "" : "'" + whole + "' has a bad port: ") + "port "
                    + port + " is out of range; a port is a number from 0 to 65535, as in [::99]:11139");
        }
    }

    /** Parses an IPv6 literal (RFC 4291 §2.2 text forms) into 16 bytes without any lookup. */
    static byte[] parseIpv6(String s, String whole) {
        String hint = "'" + whole + "' is not a valid IPv6 literal; a VM address needs one, such as [::99]:11139";
        if (s.isEmpty() || s.indexOf('%') >= 0) {
            throw new IllegalArgumentException(hint + (s.indexOf('%') >= 0 ? " (zone ids are not allowed)" : ""));
        }
        if (looksLikeIpv4(s)) {
            throw new IllegalArgumentException("'" + whole + "' is IPv4: VM addresses are IPv6 only;"
                    + " write [::ffff:" + s + "]:PORT or another IPv6 literal such as [::99]:11139");
        }
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        int n = s.length();
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (n == 2) {
                return new byte[16];
            }
        } else if (s.startsWith(":")) {
            throw new IllegalArgumentException(hint);
        }
        while (i < n) {
            if (count >= 8) {
                throw new IllegalArgumentException(hint);
            }
            int end = i;
            while (end < n && s.charAt(end) != ':') {
                end++;
            }
            String part = s.substring(i, end);
            if (part.indexOf('.') >= 0) {
                if (end != n || count > 6) {
                    throw new IllegalArgumentException(hint);
                }
                int v4 = parseDottedQuad(part, hint);
                groups[count++] = v4 >>> 16;
                groups[count++] = v4 & 0xFFFF;
                i = n;
                break;
            }
            if (part.isEmpty() || part.length() > 4) {
                throw new IllegalArgumentException(hint);
            }
            int value = 0;
            for (int k = 0; k < part.length(); k++) {
                int d = Character.digit(part.charAt(k), 16);
                if (d < 0) {
                    throw new IllegalArgumentException(hint);
                }
                value = value << 4 | d;
            }
            groups[count++] = value;
            if (end == n) {
                i = n;
            } else if (end + 1 < n && s.charAt(end + 1) == ':') {
                if (gap >= 0) {
                    throw new IllegalArgumentException(hint + " (only one '::' is allowed)");
                }
                gap = count;
                i = end + 2;
            } else if (end + 1 == n) {
                throw new IllegalArgumentException(hint);
            } else {
                i = end + 1;
            }
        }
        if (gap < 0 && count != 8 || gap >= 0 && count > 7) {
            throw new IllegalArgumentException(hint);
        }
        byte[] out = new byte[16];
        int tail = count - Math.max(gap, 0);
        for (int g = 0; g < count; g++) {
            int slot = gap >= 0 && g >= gap ? 8 - tail + (g - gap) : g;
            out[slot * 2] = (byte) (groups[g] >>> 8);
            out[slot * 2 + 1] = (byte) groups[g];
        }
        return out;
    }

    private static int parseDottedQuad(String part, String hint) {
        String[] octets = part.split("\\.", -1);
        if (octets.length != 4) {
            throw new IllegalArgumentException(hint);
        }
        int v = 0;
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(c -> c >= '0' && c <= '9')
                    || o.length() > 1 && o.charAt(0) == '0') {
                throw new IllegalArgumentException(hint);
            }
            int b = Integer.parseInt(o);
            if (b > 255) {
                throw new IllegalArgumentException(hint);
            }
            v = v << 8 | b;
        }
        return v;
    }

    /** A copy of the 16 address bytes. */
    public byte[] addressBytes() {
        return address.clone();
    }

    /** Writes the 16 address bytes into {@code dst} at {@code offset} without allocating. */
    public void copyAddressTo(byte[] dst, int offset) {
        System.arraycopy(address, 0, dst, offset, 16);
    }

    /** Writes the 16 address bytes and the port (18 bytes, the wire form of §2) to {@code dst}. */
    public void writeTo(java.nio.ByteBuffer dst) {
        dst.put(address).putShort((short) port);
    }

    /** Reads the 18-byte wire form (address then u16 port) at the buffer's position. */
    public static VmAddress readFrom(java.nio.ByteBuffer src) {
        int at = src.position();
        if (src.getLong(at) == 0 && src.getLong(at + 8) == 0) {
            src.position(at + 16);
            return any(src.getShort() & 0xFFFF);
        }
        byte[] a = new byte[16];
        src.get(a);
        return new VmAddress(a, src.getShort() & 0xFFFF);
    }

    /** The port, 0 to 65535. */
    public int port() {
        return port;
    }

    /** Whether the address part is {@code ::}, the wildcard of §1. */
    public boolean isAny() {
        return address == ANY || Arrays.equals(address, ANY);
    }

    /** The same port on the wildcard address {@code ::}. */
    public VmAddress withAnyAddress() {
        return isAny() ? this : any(port);
    }

    /** The same address with another port. */
    public VmAddress withPort(int newPort) {
        checkPort(newPort);
        return new VmAddress(address, newPort);
    }

    /** The address part alone in RFC 5952 text, without brackets or port. */
    public String hostText() {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = (address[2 * i] & 0xFF) << 8 | address[2 * i + 1] & 0xFF;
        }
        boolean mapped = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xFFFF;
        int words = mapped ? 6 : 8;
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < words; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < words && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder(41);
        for (int i = 0; i < words; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        if (mapped) {
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(address[12] & 0xFF).append('.').append(address[13] & 0xFF).append('.')
                    .append(address[14] & 0xFF).append('.').append(address[15] & 0xFF);
        }
        return sb.toString();
    }

    /** RFC 5952 text with brackets and port, e.g. {@code [::99]:11139}; {@link #parse} reads it back. */
    @Override
    public String toString() {
        return "[" + hostText() + "]:" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof VmAddress other && other.port == port && Arrays.equals(other.address, address);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(VmAddress o) {
        int c = Arrays.compareUnsigned(address, o.address);
        return c != 0 ? c : Integer.compare(port, o.port);
    }
}
