package org.p2pvm.engine.memory;

import java.net.SocketAddress;
import java.util.Objects;

/**
 * The address of one end of a {@link MemoryLink}, as {@link MemoryCarrier#localAddress()} and
 * {@link MemoryCarrier#remoteAddress()} report it: the link's name and which end, printed as
 * {@code memory:NAME/dialer}. Immutable.
 */
public final class MemoryAddress extends SocketAddress {
    private final String name;
    private final String end;

    public MemoryAddress(String name, String end) {
        this.name = Objects.requireNonNull(name, "name");
        this.end = Objects.requireNonNull(end, "end");
    }

    /** The link's name (the server name for links made by {@link MemoryTransport}). */
    public String name() {
        return name;
    }

    /** {@code "dialer"} or {@code "acceptor"}. */
    public String end() {
        return end;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemoryAddress a && a.name.equals(name) && a.end.equals(end);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + end.hashCode();
    }

    @Override
    public String toString() {
        return "memory:" + name + "/" + end;
    }
}
