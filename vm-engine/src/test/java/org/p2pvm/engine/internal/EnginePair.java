package org.p2pvm.engine.internal;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;

/** Two engines joined by {@link ManualCarrier}s on one {@link ManualLoop}, with a manual clock. */
final class EnginePair {
    final ManualLoop loop = new ManualLoop();
    final ManualClock clock = new ManualClock();
    final ManualCarrier dialerCarrier;
    final ManualCarrier acceptorCarrier;
    final TunnelImpl dialer;
    final TunnelImpl acceptor;

    EnginePair(TunnelOptions dialerOptions, TunnelOptions acceptorOptions, Consumer<Tunnel> onDialerOpen,
            Consumer<Tunnel> onAcceptorOpen, int maxChunk) {
        this(dialerOptions, acceptorOptions, onDialerOpen, onAcceptorOpen, maxChunk, 0);
    }

    /**
     * With {@code oneWayNanos} > 0 the link delays every write by that much on {@link #clock} from the
     * first HELLO on (deliver with {@link ManualCarrier#releaseDue()}), so the handshake sees the RTT too.
     */
    EnginePair(TunnelOptions dialerOptions, TunnelOptions acceptorOptions, Consumer<Tunnel> onDialerOpen,
            Consumer<Tunnel> onAcceptorOpen, int maxChunk, long oneWayNanos) {
        ManualCarrier[] c = ManualCarrier.pair(loop);
        dialerCarrier = c[0];
        acceptorCarrier = c[1];
        dialerCarrier.maxChunk = maxChunk;
        acceptorCarrier.maxChunk = maxChunk;
        for (ManualCarrier m : c) {
            m.clock = clock;
            m.delayNanos = oneWayNanos;
        }
        dialer = new TunnelImpl(dialerCarrier, dialerOptions, onDialerOpen, clock);
        acceptor = new TunnelImpl(acceptorCarrier, acceptorOptions, onAcceptorOpen, clock);
        dialerCarrier.listener = dialer.session();
        acceptorCarrier.listener = acceptor.session();
        loop.runInLoop(() -> {
            dialer.start();
            acceptor.start();
        });
    }

    static EnginePair open(TunnelOptions o) {
        return new EnginePair(o, o, null, null, Integer.MAX_VALUE);
    }

    void pump() {
        loop.runUntilIdle();
    }

    <T> T await(CompletableFuture<T> f) {
        pump();
        if (!f.isDone()) {
            throw new AssertionError("future not complete after the engine settled");
        }
        return f.join();
    }
}
