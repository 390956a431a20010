package org.p2pvm.engine.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.p2pvm.Tunnel;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;
import org.p2pvm.engine.internal.frame.ProtocolViolation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tunnel's side of the handshake (PROTOCOL.md §4): sends HELLO and AUTH, hands the peer's HELLO
 * and AUTH to {@link Handshake} (which checks them and holds the nonces and the token), and opens the
 * tunnel once the peer's AUTH verifies: flow control starts, the listen table is pushed, the open
 * callback runs and {@link #future} completes. The handshake timeout is {@link Liveness}'s.
 *
 * <p>Owned by the tunnel's executor. {@link #future} fails through {@link Shutdown} when the tunnel
 * closes first.
 */
final class TunnelHandshake {
    // the tunnel's logger: these lines were the tunnel's before the split, and log settings name it
    private static final Logger LOG = LoggerFactory.getLogger(TunnelImpl.class);

    private final TunnelImpl t;
    private final Handshake exchange;
    private final Consumer<? super Tunnel> onOpen;
    /** Completes with the tunnel once it is open (§4), or fails with the reason it closed before. */
    final CompletableFuture<Tunnel> future = new CompletableFuture<>();

    TunnelHandshake(TunnelImpl tunnel, String token, Consumer<? super Tunnel> onOpen) {
        this.t = tunnel;
        this.exchange = new Handshake(token);
        this.onOpen = onOpen;
    }

    /** §4 step 1. */
    void sendHello() {
        FrameWriter.hello(t.writer.control(FrameType.HEADER_LENGTH + FrameType.HELLO_MAX), exchange.localNonce(),
                PeerSettings.advertised(t.options));
    }

    void onHello(ByteBuffer payload) throws ProtocolViolation {
        exchange.onHello(payload);
        t.peer = exchange.peerSettings();
        FrameWriter.auth(t.writer.control(FrameType.HEADER_LENGTH + FrameType.AUTH_LENGTH), exchange.localProof());
        t.requestFlush();
    }

    void onAuth(ByteBuffer mac) throws ProtocolViolation {
        exchange.onAuth(mac);
        opened();
    }

    /** §4: AUTH sent and the peer's verified: the tunnel is open. */
    private void opened() {
        t.state = TunnelImpl.State.OPEN;
        t.writer.peerMaxFrame = t.peer.maxFramePayload();
        t.writer.tunnelSendWindow = t.peer.initialTunnelWindow();
        t.writer.dataAllowed = true;
        LOG.debug("tunnel {} open", t);
        t.servers.announceAll(); // §4 step 5
        if (onOpen != null) {
            try {
                onOpen.accept(t);
            } catch (RuntimeException e) {
                LOG.warn("tunnel {}: open callback threw", t, e);
            }
        }
        future.complete(t);
        t.requestFlush();
    }
}
