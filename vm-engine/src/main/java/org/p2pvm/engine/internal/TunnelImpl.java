package org.p2pvm.engine.internal;

import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.engine.Carrier;
import org.p2pvm.engine.TunnelEngine;

/** Placeholder while the engine lands; replaced by the real tunnel. */
public final class TunnelImpl {
    public TunnelImpl(Carrier carrier, TunnelOptions options, Consumer<? super Tunnel> onOpen) {
    }

    public void start() {
        throw new UnsupportedOperationException("engine not yet implemented");
    }

    public TunnelEngine.TunnelSession session() {
        throw new UnsupportedOperationException("engine not yet implemented");
    }
}
