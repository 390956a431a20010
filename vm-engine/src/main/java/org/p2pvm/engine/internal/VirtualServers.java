package org.p2pvm.engine.internal;

import java.util.concurrent.CompletableFuture;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.VmAddress;
import org.p2pvm.VmException;
import org.p2pvm.VmServer;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;

/**
 * The servers installed on this end of a tunnel (PROTOCOL.md §1, §5) and the LISTEN frames (§2, §4
 * step 5) that keep the peer's copy of this end's listen table current: what
 * {@link org.p2pvm.Tunnel#install}, {@link org.p2pvm.Tunnel#uninstall} and
 * {@link org.p2pvm.Tunnel#awaitRemoteListen} do once on the executor. The tables themselves are in
 * {@link ListenTable}; the LISTENs the peer sends are applied by {@link InboundFrames}.
 *
 * <p>Owned by the tunnel's executor; it has no state of its own.
 */
final class VirtualServers {
    private final TunnelImpl t;

    VirtualServers(TunnelImpl tunnel) {
        this.t = tunnel;
    }

    /** Installs {@code server} on all its addresses, or fails {@code f} and installs nothing. */
    void install(VmServer server, CompletableFuture<Void> f) {
        if (t.state == TunnelImpl.State.CLOSED || t.state == TunnelImpl.State.CLOSING) {
            f.completeExceptionally(t.shutdown.closeException != null ? t.shutdown.closeException
                    : new TunnelClosedException(t.shutdown.gracefulReason));
            return;
        }
        for (VmAddress a : server.addresses()) {
            VmServer other = t.listens.local().get(a);
            if (other != null && other != server) {
                f.completeExceptionally(new VmException(ErrorCode.REFUSED, a + " is already taken by " + other
                        + " on this tunnel"));
                return;
            }
        }
        long limit = t.peer != null ? t.peer.maxListens() : Long.MAX_VALUE;
        long added = server.addresses().stream().filter(a -> !t.listens.local().containsKey(a)).count();
        if (t.listens.local().size() + added > limit) {
            f.completeExceptionally(new VmException(ErrorCode.LIMIT_EXCEEDED, "the peer keeps at most " + limit
                    + " listen entries (MAX_LISTENS, §3)"));
            return;
        }
        for (VmAddress a : server.addresses()) {
            if (t.listens.local().put(a, server) == null && t.state == TunnelImpl.State.OPEN) {
                FrameWriter.listen(t.writer.control(FrameType.HEADER_LENGTH + FrameType.LISTEN_LENGTH), a, true);
            }
        }
        t.requestFlush();
        f.complete(null);
    }

    void uninstall(VmServer server, CompletableFuture<Void> f) {
        for (VmAddress a : server.addresses()) {
            if (t.listens.local().remove(a, server) && t.state == TunnelImpl.State.OPEN) {
                FrameWriter.listen(t.writer.control(FrameType.HEADER_LENGTH + FrameType.LISTEN_LENGTH), a, false);
            }
        }
        t.requestFlush();
        f.complete(null);
    }

    /** Completes {@code f} once the peer listens on {@code address} (at once if it does). */
    void awaitRemote(VmAddress address, CompletableFuture<Void> f) {
        if (t.state == TunnelImpl.State.CLOSED) {
            f.completeExceptionally(t.shutdown.closeException);
        } else {
            t.listens.awaitRemote(address, f);
        }
    }

    /**
     * The tunnel opened (§4 step 5): pushes every address installed before; servers the open callback
     * installs push their own.
     */
    void announceAll() {
        for (VmAddress a : t.listens.local().keySet()) {
            FrameWriter.listen(t.writer.control(FrameType.HEADER_LENGTH + FrameType.LISTEN_LENGTH), a, true);
        }
    }
}
