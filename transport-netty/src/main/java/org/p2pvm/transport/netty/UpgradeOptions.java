package org.p2pvm.transport.netty;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;

/**
 * How {@link NettyTunnels#upgrade} turns an application's channel into a tunnel carrier: which of the
 * application's handlers leave the pipeline, which end dials (opens odd stream ids, PROTOCOL.md §5),
 * and what to do the moment the tunnel opens. Immutable; build with {@link #builder()}.
 *
 * <p>By default every handler is removed, the end whose channel was dialled (a channel without a
 * {@link io.netty.channel.Channel#parent() parent}) is the dialer, and nothing runs on open.
 */
public final class UpgradeOptions {
    private static final UpgradeOptions DEFAULTS = builder().build();

    private final List<String> keep;
    private final List<String> remove;
    private final Boolean dialer;
    private final Consumer<? super Tunnel> onOpen;

    private UpgradeOptions(Builder b) {
        this.keep = List.copyOf(b.keep);
        this.remove = b.remove == null ? null : List.copyOf(b.remove);
        this.dialer = b.dialer;
        this.onOpen = b.onOpen;
    }

    /** Remove every handler; role from the channel; no open callback. */
    public static UpgradeOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Names of handlers that stay in front of the carrier (e.g. an {@code SslHandler}). */
    public List<String> keep() {
        return keep;
    }

    /** Names of the only handlers to remove, or null for "every handler not kept". */
    public List<String> remove() {
        return remove;
    }

    /** Whether this end is the dialer, or null to decide from the channel. */
    public Boolean dialer() {
        return dialer;
    }

    /** Runs on the channel's event loop when the tunnel opens, before any later frame; may be null. */
    public Consumer<? super Tunnel> onOpen() {
        return onOpen;
    }

    /** Builds {@link UpgradeOptions}; not thread-safe. */
    public static final class Builder {
        private final java.util.ArrayList<String> keep = new java.util.ArrayList<>();
        private java.util.ArrayList<String> remove;
        private Boolean dialer;
        private Consumer<? super Tunnel> onOpen;

        private Builder() {
        }

        /** Keeps these handlers (by pipeline name) and removes every other one. */
        public Builder keep(String... names) {
            for (String n : names) {
                keep.add(Objects.requireNonNull(n, "name"));
            }
            return this;
        }

        /** Removes only these handlers (by pipeline name) and keeps the rest. */
        public Builder remove(String... names) {
            if (remove == null) {
                remove = new java.util.ArrayList<>();
            }
            for (String n : names) {
                remove.add(Objects.requireNonNull(n, "name"));
            }
            return this;
        }

        /**
         * Sets the role explicitly. Both ends of one link must disagree: exactly one is the dialer. The
         * default (from the channel: no parent = dialled = dialer) fits channels made by a Netty
         * {@code Bootstrap} on one side and a {@code ServerBootstrap} on the other.
         */
        public Builder dialer(boolean isDialer) {
            this.dialer = isDialer;
            return this;
        }

        /** Runs when the tunnel opens, on its executor, before later frames (install servers here). */
        public Builder onOpen(Consumer<? super Tunnel> callback) {
            this.onOpen = callback;
            return this;
        }

        /** @throws IllegalArgumentException when both keep and remove were given */
        public UpgradeOptions build() {
            if (remove != null && !keep.isEmpty()) {
                throw new IllegalArgumentException("give either keep(...) (remove all others) or remove(...)"
                        + " (remove only these), not both");
            }
            return new UpgradeOptions(this);
        }
    }
}
