package org.p2pvm.engine.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmServer;
import org.p2pvm.engine.internal.frame.FrameHandler;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.FrameWriter;
import org.p2pvm.engine.internal.frame.ProtocolViolation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frames a peer sends after HELLO (PROTOCOL.md §2–§10), checked and applied to one
 * {@link TunnelImpl}: PING, LISTEN, the stream frames, and the flood guards. The handshake frames go
 * to {@link TunnelHandshake}, GOAWAY to {@link Shutdown}.
 *
 * <p>Owned by the tunnel's executor, like the tunnel; its only state is a one-entry cache of the last
 * OPEN destination, so that the streams opened to one server share one {@link VmAddress}.
 */
final class InboundFrames implements FrameHandler {
    private static final Logger LOG = LoggerFactory.getLogger(InboundFrames.class);

    private static final int ADDRESS_WIRE = 18; // 16-byte address and u16 port (§2)

    private final TunnelImpl t;
    /** The wire form (address, port) of {@link #lastDestination}, and scratch for the OPEN being read. */
    private final byte[] lastDestinationWire = new byte[ADDRESS_WIRE];
    private final byte[] openWire = new byte[ADDRESS_WIRE];
    private VmAddress lastDestination;

    InboundFrames(TunnelImpl tunnel) {
        this.t = tunnel;
    }

    @Override
    public void onHello(ByteBuffer payload) throws ProtocolViolation {
        t.handshake.onHello(payload);
    }

    @Override
    public void onAuth(ByteBuffer mac) throws ProtocolViolation {
        t.handshake.onAuth(mac);
    }

    @Override
    public void onGoaway(long errorCode, ByteBuffer reason) throws ProtocolViolation {
        t.shutdown.onGoaway(errorCode, reason);
    }

    @Override
    public void onPing(boolean ack, long opaque) throws ProtocolViolation {
        requireOpen(FrameType.PING);
        if (ack) {
            t.pings.onAck(opaque, t.clock.nanoTime());
        } else {
            flood(t.pingLimit, "PING", t.options.maxPingsPerSecond());
            FrameWriter.ping(t.writer.control(FrameType.HEADER_LENGTH + FrameType.PING_LENGTH), true, opaque);
            t.requestFlush();
        }
    }

    @Override
    public void onListen(ByteBuffer address16, int port, int listenState) throws ProtocolViolation {
        requireOpen(FrameType.LISTEN);
        flood(t.listenLimit, "LISTEN", t.options.maxListenChangesPerSecond());
        byte[] a = new byte[16];
        address16.get(0, a);
        VmAddress address = VmAddress.of(a, port);
        if (listenState == 1) {
            if (!t.listens.remoteContains(address) && t.listens.remoteSize() >= t.options.maxListens()) {
                throw ProtocolViolation.tunnel(ErrorCode.LIMIT_EXCEEDED, "peer pushed more than MAX_LISTENS = "
                        + t.options.maxListens() + " listen entries (§3)");
            }
            t.listens.remoteAdded(address);
        } else if (listenState == 0) {
            t.listens.remoteRemoved(address);
        } else {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "LISTEN state " + listenState + " (must be 0 or 1, §2)");
        }
    }

    @Override
    public void onOpen(int id, ByteBuffer p) throws ProtocolViolation {
        requireOpen(FrameType.OPEN);
        boolean peerParity = (id & 1) == (t.dialer ? 0 : 1);
        if (!peerParity) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "OPEN on stream " + Integer.toUnsignedString(id)
                    + " with this end's parity (the " + (t.dialer ? "acceptor opens even" : "dialer opens odd") + " ids, §5)");
        }
        if (t.streams.contains(id)) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "OPEN on stream " + Integer.toUnsignedString(id)
                    + " which is still in use (§5)");
        }
        VmAddress destination = destination(p);
        VmAddress source = VmAddress.readFrom(p.position(ADDRESS_WIRE));
        if (t.state != TunnelImpl.State.OPEN) {
            refuse(id, ErrorCode.REFUSED);
            return;
        }
        if (t.streams.peerOpened() >= t.options.maxStreams()) {
            refuse(id, ErrorCode.LIMIT_EXCEEDED);
            return;
        }
        VmServer server = t.listens.route(destination);
        if (server == null) {
            refuse(id, ErrorCode.REFUSED);
            return;
        }
        StreamImpl s = new StreamImpl(t, false, destination, source);
        t.lifecycle.register(s, id);
        try {
            server.acceptor().onConnection(s);
        } catch (Exception e) {
            LOG.debug("tunnel {}: acceptor of {} refused stream {}", t, server, id, e);
            if (!s.resetSent) {
                t.lifecycle.resetStream(s, ErrorCode.REFUSED, "refused by acceptor: " + e);
            }
        }
        if (s.resetSent || s.failure != null) {
            t.counters.streamsRefused++;
            return;
        }
        t.counters.streamsAccepted++;
        FrameWriter.accept(t.writer.control(FrameType.HEADER_LENGTH), id);
        s.markEstablished();
        t.requestFlush();
    }

    /** The OPEN's destination: the previous one's instance when the bytes are the same (the usual case). */
    private VmAddress destination(ByteBuffer p) {
        p.get(0, openWire);
        if (lastDestination == null || !Arrays.equals(openWire, lastDestinationWire)) {
            lastDestination = VmAddress.readFrom(p.position(0));
            System.arraycopy(openWire, 0, lastDestinationWire, 0, openWire.length);
        }
        return lastDestination;
    }

    /**
     * Answers an OPEN with RESET. Each refusal costs a RESET that the peer made us send for nothing,
     * so refusals share the rapid-reset budget (§10): a peer that keeps opening what it cannot have
     * loses the tunnel.
     */
    private void refuse(int id, ErrorCode code) throws ProtocolViolation {
        flood(t.resetLimit, "refused OPEN", t.options.maxResetsPerSecond());
        t.counters.streamsRefused++;
        t.counters.sent(code);
        FrameWriter.reset(t.writer.control(FrameType.HEADER_LENGTH + FrameType.RESET_LENGTH), id, code);
        t.requestFlush();
    }

    @Override
    public void onAccept(int id) throws ProtocolViolation {
        requireOpen(FrameType.ACCEPT);
        StreamImpl s = t.streams.get(id);
        if (s == null) {
            return; // reset meanwhile (§5 unknown ids)
        }
        if (!s.opener || s.established) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "unexpected ACCEPT on stream "
                    + Integer.toUnsignedString(id) + (s.opener ? " (already accepted)" : " (the peer opened it)") + " (§5)");
        }
        s.markEstablished();
    }

    @Override
    public void onData(int id, ByteBuffer data, boolean endOfFrame, boolean fin) throws ProtocolViolation {
        requireOpen(FrameType.DATA);
        int n = data.remaining();
        if (n == 0 && !fin) {
            flood(t.emptyLimit, "empty DATA", t.options.maxEmptyFramesPerSecond());
        }
        t.counters.payloadBytesReceived += n;
        if (!t.credit.tunnelWindow.take(n)) {
            throw ProtocolViolation.tunnel(ErrorCode.FLOW_CONTROL_ERROR, "DATA beyond the tunnel window: "
                    + n + " bytes with " + t.credit.tunnelWindow.credit() + " of credit (§6)");
        }
        StreamImpl s = t.streams.get(id);
        if (s == null || s.resetSent || s.resetReceived || s.failure != null) {
            t.credit.tunnelConsumed(n); // §5: ignored, but its length returns to the tunnel window
            if (s != null && fin && s.resetSent && !s.finReceived) {
                // the peer's FIN crossed our RESET: it is its terminal frame, and it will not answer ours
                s.finReceived = true;
                t.lifecycle.terminalReceived(s);
            }
            return;
        }
        if (s.finReceived) {
            t.credit.tunnelConsumed(n);
            t.lifecycle.resetStream(s, ErrorCode.PROTOCOL_ERROR, "DATA after FIN");
            return;
        }
        if (!s.recvWindow().take(n)) {
            t.credit.tunnelConsumed(n);
            t.lifecycle.resetStream(s, ErrorCode.FLOW_CONTROL_ERROR, "DATA beyond the stream window: " + n + " bytes with "
                    + s.recvWindow().credit() + " of credit (§6)");
            return;
        }
        s.onInbound(data, fin);
    }

    @Override
    public void onWindow(int id, long increment) throws ProtocolViolation {
        requireOpen(FrameType.WINDOW);
        if (increment == 0) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "WINDOW with increment 0 (must be 1..2^31-1, §2)");
        }
        if (id == 0) {
            if (t.writer.tunnelSendWindow + increment > TunnelOptions.MAX_WINDOW) {
                throw ProtocolViolation.tunnel(ErrorCode.FLOW_CONTROL_ERROR, "tunnel window above 2^31-1 (§6)");
            }
            t.writer.addTunnelCredit(increment);
            t.requestFlush();
            return;
        }
        StreamImpl s = t.streams.get(id);
        if (s == null || s.failure != null) {
            return;
        }
        if (s.sendWindow + increment > TunnelOptions.MAX_WINDOW) {
            t.lifecycle.resetStream(s, ErrorCode.FLOW_CONTROL_ERROR, "stream window above 2^31-1 (§6)");
            return;
        }
        s.sendWindow += increment;
        t.writer.streamReady(s);
        t.requestFlush();
    }

    @Override
    public void onReset(int id, long wireCode) throws ProtocolViolation {
        requireOpen(FrameType.RESET);
        ErrorCode code = ErrorCode.fromWire(wireCode);
        t.counters.received(code);
        StreamImpl s = t.streams.get(id);
        if (s == null) {
            return;
        }
        if (!s.resetSent) {
            flood(t.resetLimit, "RESET", t.options.maxResetsPerSecond()); // rapid reset (CVE-2023-44487)
        }
        s.resetReceived = true;
        if (!s.resetSent && !s.finSent) {
            // §5: answer so that both ends can free the id
            s.resetSent = true;
            t.counters.sent(code);
            FrameWriter.reset(t.writer.control(FrameType.HEADER_LENGTH + FrameType.RESET_LENGTH), id, code);
            t.requestFlush();
        }
        String detail = code == ErrorCode.REFUSED && s.opener && !s.established
                ? "nothing accepts connections on " + s.remote + " in the peer's VM" : null;
        s.fail(StreamImpl.resetException(code, true, s, detail));
        t.lifecycle.remove(s);
    }

    @Override
    public void onUnknown(int type, int flags, int streamId, int length) throws ProtocolViolation {
        requireOpen(type);
        flood(t.emptyLimit, "unknown-type", t.options.maxEmptyFramesPerSecond());
    }

    /** Frames other than HELLO, AUTH and GOAWAY wait for the handshake (§4). */
    private void requireOpen(int type) throws ProtocolViolation {
        if (t.state == TunnelImpl.State.HANDSHAKE) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, FrameType.name(type)
                    + " before the handshake completed (§4)");
        }
    }

    /** §10: a t.peer that exceeds a rate makes this end work for nothing; it loses the tunnel. */
    private void flood(RateLimit limit, String what, int perSecond) throws ProtocolViolation {
        if (!limit.tryTake(t.clock.nanoTime())) {
            throw ProtocolViolation.tunnel(ErrorCode.LIMIT_EXCEEDED, "flood of " + what + " frames: more than "
                    + perSecond + " per second sustained (§10)");
        }
    }
}
