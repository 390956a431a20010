package org.p2pvm.transport.netty;

import java.net.SocketAddress;
import java.util.Objects;
import org.p2pvm.VmAddress;

/**
 * A virtual address (IPv6 address and port inside a tunnel, PROTOCOL.md §1) as a Netty
 * {@link SocketAddress}: what a {@link VmServerChannel} binds to, what a {@link VmChannel} connects
 * to, and what both report as their local and remote addresses. Never resolved by DNS. Immutable.
 */
public final class VmSocketAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;

    private final VmAddress address;

    public VmSocketAddress(VmAddress address) {
        this.address = Objects.requireNonNull(address, "address");
    }

    /** Parses RFC 5952 text such as {@code [::99]:8080}. */
    public static VmSocketAddress parse(String text) {
        return new VmSocketAddress(VmAddress.parse(text));
    }

    /** The virtual address. */
    public VmAddress vmAddress() {
        return address;
    }

    /**
     * The {@link VmAddress} inside {@code a}.
     *
     * @throws IllegalArgumentException naming {@code role} when {@code a} is some other kind of address
     */
    static VmAddress vmAddressOf(SocketAddress a, String role) {
        if (a instanceof VmSocketAddress v) {
            return v.address;
        }
        throw new IllegalArgumentException("a virtual channel's " + role + " address must be a VmSocketAddress"
                + " (e.g. VmSocketAddress.parse(\"[::99]:80\")), got " + (a == null ? "null" : a.getClass().getName()
                + " " + a));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VmSocketAddress v && v.address.equals(address);
    }

    @Override
    public int hashCode() {
        return address.hashCode();
    }

    @Override
    public String toString() {
        return "vm:" + address;
    }
}
