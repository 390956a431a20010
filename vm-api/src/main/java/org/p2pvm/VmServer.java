package org.p2pvm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A virtual server: the addresses it listens on inside a tunnel's VM, and the {@link Acceptor} that
 * receives every virtual connection opened to them (the seed's
 * TCommunicationFrameworkWithP2PVM_Server). Install it with {@link Tunnel#install}; one server may be
 * installed on any number of tunnels at once (the seed's "ten physical links, one logical server").
 *
 * <p>Immutable and thread-safe. Listening on {@code [::]:port} accepts that port for every address.
 */
public final class VmServer {
    private final String name;
    private final Set<VmAddress> addresses;
    private final Acceptor acceptor;

    private VmServer(String name, Set<VmAddress> addresses, Acceptor acceptor) {
        this.name = name;
        this.addresses = addresses;
        this.acceptor = acceptor;
    }

    /** A server on one address. */
    public static VmServer listen(VmAddress address, Acceptor acceptor) {
        return builder().listen(address).acceptor(acceptor).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A name for logs. */
    public String name() {
        return name;
    }

    /** The addresses, in the order given. */
    public Set<VmAddress> addresses() {
        return addresses;
    }

    public Acceptor acceptor() {
        return acceptor;
    }

    @Override
    public String toString() {
        return "VmServer{" + name + " " + addresses + '}';
    }

    /**
     * Receives each new virtual connection, on the tunnel's executor, before ACCEPT is sent. Set a
     * handler on the connection here. Throwing, or resetting the connection, refuses it (RESET
     * REFUSED, §5); returning normally accepts it.
     */
    @FunctionalInterface
    public interface Acceptor {
        void onConnection(VmConnection connection) throws Exception;
    }

    /** Builds a {@link VmServer}; not thread-safe. */
    public static final class Builder {
        private String name;
        private final List<VmAddress> addresses = new ArrayList<>();
        private Acceptor acceptor;

        private Builder() {
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder listen(VmAddress address) {
            addresses.add(Objects.requireNonNull(address, "address"));
            return this;
        }

        public Builder acceptor(Acceptor acceptor) {
            this.acceptor = acceptor;
            return this;
        }

        /** @throws IllegalArgumentException without an address or an acceptor */
        public VmServer build() {
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("a VmServer needs at least one address: call listen(VmAddress)");
            }
            if (acceptor == null) {
                throw new IllegalArgumentException("a VmServer needs an acceptor: call acceptor(connection -> ...)");
            }
            Set<VmAddress> set = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(addresses));
            return new VmServer(name == null ? set.iterator().next().toString() : name, set, acceptor);
        }
    }
}
