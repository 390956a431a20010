package org.p2pvm;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * An open VM tunnel over one carrier (PROTOCOL.md §1, §4): the place where virtual servers are
 * installed and virtual connections are opened. Obtained from a {@link org.p2pvm.spi.Transport}
 * (dial or accept), after the handshake has succeeded.
 *
 * <p>After the handshake both ends are equal peers: either may {@link #install} servers and either
 * may {@link #connect}. Every method is thread-safe and non-blocking. State lives on one serial
 * executor per tunnel ({@link #executor()}); callbacks of this tunnel and of its connections run
 * there, so they must not block.
 */
public interface Tunnel extends AutoCloseable {

    /**
     * Opens a virtual connection to {@code destination} in the peer's VM and completes when the peer
     * ACCEPTs it. Fails with {@link StreamResetException} ({@link ErrorCode#REFUSED} when nothing
     * listens there, {@link ErrorCode#LIMIT_EXCEEDED} beyond the peer's MAX_STREAMS) or
     * {@link TunnelClosedException}.
     */
    CompletableFuture<VmConnection> connect(VmAddress destination);

    /**
     * Opens a virtual connection at once, without waiting for ACCEPT, so that the caller may write
     * early data (§5) that goes out right after OPEN. {@link VmConnection#established()} tells when
     * the peer accepted; if it refuses, the connection fails and the early data is discarded.
     *
     * @param destination the peer's listening address
     * @param source the source address this end claims (shown to the peer's server), or
     *     {@code null} for {@code [::]} and an ephemeral port
     */
    VmConnection open(VmAddress destination, VmAddress source);

    /**
     * Installs a virtual server on this tunnel: OPENs for its addresses are routed to it, and a
     * LISTEN for each address is pushed to the peer (§4 step 5). One server may be installed on many
     * tunnels. Fails with {@link VmException} ({@link ErrorCode#LIMIT_EXCEEDED}) when an address is
     * already taken on this tunnel.
     */
    CompletableFuture<Void> install(VmServer server);

    /** Removes a server and pushes LISTEN closed for each of its addresses; open streams go on. */
    CompletableFuture<Void> uninstall(VmServer server);

    /** The addresses servers on this end listen on. */
    Set<VmAddress> localListens();

    /** The addresses the peer has pushed as listening (§1), a snapshot. */
    Set<VmAddress> remoteListens();

    /**
     * Completes when the peer's listen table contains {@code address} (exactly, or on {@code ::}
     * with the same port); at once if it already does. Fails if the tunnel closes first.
     */
    CompletableFuture<Void> awaitRemoteListen(VmAddress address);

    /** Sends a PING and completes with its round trip time (§8). */
    CompletableFuture<Duration> ping();

    /** A snapshot of the counters. */
    TunnelStats stats();

    /** Whether the tunnel is open and not yet going away. */
    boolean isOpen();

    /** Whether this end dialled the carrier (it opens odd stream ids, §5). */
    boolean isDialer();

    /** The carrier's local address (a socket address, or a transport-specific one). */
    SocketAddress carrierLocalAddress();

    /** The carrier's remote address. */
    SocketAddress carrierRemoteAddress();

    /** The options of this end. */
    TunnelOptions options();

    /**
     * The tunnel's serial executor (the carrier's event loop). Tasks run one at a time, in order,
     * on the thread that runs this tunnel's callbacks.
     */
    Executor executor();

    /**
     * Completes, always normally, with the reason once the tunnel is closed, the carrier is closed,
     * and every stream on it has failed or finished.
     */
    CompletableFuture<CloseReason> closeFuture();

    /**
     * Starts a graceful close: GOAWAY NO_ERROR, refuse new OPENs, let streams in progress finish,
     * then close the carrier (§8). Returns at once; see {@link #closeFuture()}.
     */
    @Override
    void close();

    /**
     * Closes with {@code code}: graceful for {@link ErrorCode#NO_ERROR} and
     * {@link ErrorCode#SHUTDOWN}, otherwise GOAWAY and an immediate carrier close that fails every
     * stream (§8).
     *
     * @param reason a short text for the peer's logs (UTF-8, cut to 1024 bytes); never put secrets here
     */
    void close(ErrorCode code, String reason);
}
