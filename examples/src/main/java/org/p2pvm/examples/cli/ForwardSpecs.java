package org.p2pvm.examples.cli;

import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.p2pvm.VmAddress;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * The port forwarding arguments: {@code --forward}/{@code --expose VMADDR=HOST:PORT} and
 * {@code --local [HOST:]PORT=VMADDR}, with converters that reject a wrong value in one line.
 */
final class ForwardSpecs {
    private static final Pattern HOST_PORT = Pattern.compile("(?:(\\[[0-9A-Fa-f:.%\\w]+]|[^:\\[\\]/@\\s=]+):)?(\\d{1,5})");

    private ForwardSpecs() {
    }

    /** A virtual address served by forwarding to a real TCP endpoint. */
    record Forward(VmAddress address, InetSocketAddress target) {
    }

    /** A local TCP listener whose connections go to a virtual address. */
    record Local(InetSocketAddress bind, VmAddress destination) {
    }

    /** {@code VMADDR=HOST:PORT}, e.g. {@code [::10]:80=127.0.0.1:8080}. */
    static final class ForwardConverter implements ITypeConverter<Forward> {
        @Override
        public Forward convert(String value) {
            int eq = value.indexOf('=');
            if (eq < 0) {
                throw new TypeConversionException("'" + value + "' is not VMADDR=HOST:PORT: write e.g. [::10]:80=127.0.0.1:8080");
            }
            VmAddress vm = vmAddress(value.substring(0, eq), value);
            InetSocketAddress target = hostPort(value.substring(eq + 1), value, false, "VMADDR=HOST:PORT");
            return new Forward(vm, target);
        }
    }

    /** {@code [HOST:]PORT=VMADDR}, e.g. {@code 127.0.0.1:8080=[::10]:80}; HOST defaults to 127.0.0.1. */
    static final class LocalConverter implements ITypeConverter<Local> {
        @Override
        public Local convert(String value) {
            int eq = value.lastIndexOf('=');
            if (eq < 0) {
                throw new TypeConversionException("'" + value + "' is not [HOST:]PORT=VMADDR: write e.g. 127.0.0.1:8080=[::10]:80");
            }
            InetSocketAddress bind = hostPort(value.substring(0, eq), value, true, "[HOST:]PORT=VMADDR");
            VmAddress vm = vmAddress(value.substring(eq + 1), value);
            return new Local(bind, vm);
        }
    }

    /** {@code HOST:PORT} for a local endpoint such as {@code --metrics}; port 0 picks one. */
    static final class HostPortConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            return hostPort(value, value, false, "HOST:PORT", 0);
        }
    }

    private static VmAddress vmAddress(String text, String whole) {
        try {
            return VmAddress.parse(text.trim());
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + whole + "': " + e.getMessage());
        }
    }

    private static InetSocketAddress hostPort(String text, String whole, boolean hostOptional, String form) {
        return hostPort(text, whole, hostOptional, form, hostOptional ? 0 : 1);
    }

    private static InetSocketAddress hostPort(String text, String whole, boolean hostOptional, String form,
            int minPort) {
        Matcher m = HOST_PORT.matcher(text.trim());
        if (!m.matches() || (!hostOptional && m.group(1) == null)) {
            throw new TypeConversionException("'" + whole + "' is not " + form + ": '" + text + "' should be "
                    + (hostOptional ? "[HOST:]PORT" : "HOST:PORT") + ", e.g. 127.0.0.1:8080 or [::1]:8080");
        }
        int port = Integer.parseInt(m.group(2));
        if (port > 65535 || port < minPort) {
            throw new TypeConversionException("'" + whole + "': port " + port + " is out of range "
                    + minPort + "..65535");
        }
        String host = m.group(1) == null ? "127.0.0.1" : m.group(1);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        // Unresolved: a forward target is resolved per connection (DNS may change); a bind is resolved at bind.
        return InetSocketAddress.createUnresolved(host, port);
    }
}
