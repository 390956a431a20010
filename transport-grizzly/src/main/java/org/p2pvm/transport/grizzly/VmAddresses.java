package org.p2pvm.transport.grizzly;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import org.p2pvm.VmAddress;

/**
 * Virtual addresses as the socket addresses Grizzly code expects (migration step 2): a
 * {@link VmAddress} is an IPv6 address and a port, so it maps one to one onto an
 * {@link InetSocketAddress} with an {@link Inet6Address} — what {@code Connection.getPeerAddress()}
 * returns for a virtual connection, and what existing client code may pass to
 * {@link VmTransport#connect(org.p2pvm.Tunnel, SocketAddress)}. Nothing is resolved by DNS.
 */
public final class VmAddresses {
    private VmAddresses() {
    }

    /** {@code [addr]:port} as an unresolved-free {@link InetSocketAddress} with an {@link Inet6Address}. */
    public static InetSocketAddress toSocketAddress(VmAddress address) {
        try {
            return new InetSocketAddress(Inet6Address.getByAddress(null, address.addressBytes(), -1), address.port());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("a 16-byte address is always valid", e);
        }
    }

    /**
     * The virtual address named by a socket address with a literal IPv6 (or IPv4-mapped) address.
     *
     * @throws IllegalArgumentException for host names and IPv4 addresses, which are not VM addresses
     */
    public static VmAddress fromSocketAddress(SocketAddress address) {
        if (!(address instanceof InetSocketAddress)) {
            throw new IllegalArgumentException(address + " is not an InetSocketAddress; a virtual address is [IPv6]:port");
        }
        InetSocketAddress isa = (InetSocketAddress) address;
        InetAddress ip = isa.getAddress();
        if (isa.isUnresolved() || ip == null) {
            throw new IllegalArgumentException("'" + isa.getHostString() + "' is a host name; a virtual address is a literal IPv6 address such as [::99]:" + isa.getPort());
        }
        if (!(ip instanceof Inet6Address)) {
            throw new IllegalArgumentException(ip.getHostAddress() + " is IPv4; a virtual address is IPv6, e.g. [::ffff:" + ip.getHostAddress() + "]:" + isa.getPort());
        }
        return VmAddress.of(ip.getAddress(), isa.getPort());
    }
}
