package org.p2pvm.transport.netty;

import io.netty.channel.AbstractServerChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.VmConnection;
import org.p2pvm.VmException;
import org.p2pvm.VmServer;

/**
 * A Netty server channel that accepts virtual connections on one {@link VmSocketAddress}, so that an
 * unchanged {@code ServerBootstrap} (its {@code childHandler}, child options and attributes) serves
 * them: {@code new ServerBootstrap().group(boss, workers).channel(VmServerChannel.class)
 * .childHandler(existingInitializer).bind(VmSocketAddress.parse("[::99]:80"))}, then
 * {@link #installOn(Tunnel)} for every tunnel that should reach it (one server channel may serve any
 * number of tunnels, the seed's "ten physical links, one logical server").
 *
 * <p>Each accepted connection becomes a {@link VmChannel} fired into this channel's pipeline (where
 * {@code ServerBootstrap} registers it; it lands on its tunnel's event loop when that is a Netty
 * one). Connections wait here while {@code autoRead} is off; beyond {@value #MAX_PENDING} waiting
 * ones, or once this channel is closed, new ones are refused (RESET REFUSED, PROTOCOL.md §5).
 *
 * <p>Thread-safe as every Netty channel; the acceptor runs on each tunnel's executor and hands
 * connections to this channel's loop.
 */
public final class VmServerChannel extends AbstractServerChannel {
    /** Accepted connections that may wait for a read before new ones are refused. */
    public static final int MAX_PENDING = 1024;

    private final DefaultChannelConfig config = new DefaultChannelConfig(this, new ServerChannelRecvByteBufAllocator()) { };
    private final ConcurrentLinkedQueue<VmConnection> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final Set<Tunnel> installedOn = ConcurrentHashMap.newKeySet();
    private volatile boolean open = true;
    private volatile VmSocketAddress local;
    private volatile VmServer server;

    // event loop only
    private boolean readPending;
    private boolean inReadLoop;

    /** A server channel; bind it to a {@link VmSocketAddress}. */
    public VmServerChannel() {
    }

    /**
     * The virtual server behind this channel, for {@link Tunnel#install} (for instance inside a
     * transport's {@code onTunnel} callback).
     *
     * @throws IllegalStateException before {@code bind}
     */
    public VmServer vmServer() {
        VmServer s = server;
        if (s == null) {
            throw new IllegalStateException("bind the VmServerChannel to a VmSocketAddress first");
        }
        return s;
    }

    /**
     * Installs this server on {@code tunnel}: the peer can then connect to the bound address through
     * it. Fails as {@link Tunnel#install} does (address taken, tunnel closed).
     */
    public CompletableFuture<Void> installOn(Tunnel tunnel) {
        Objects.requireNonNull(tunnel, "tunnel");
        VmServer s = vmServer();
        if (!open) {
            return CompletableFuture.failedFuture(new IllegalStateException(this + " is closed"));
        }
        installedOn.add(tunnel);
        tunnel.closeFuture().thenRun(() -> installedOn.remove(tunnel));
        return tunnel.install(s).whenComplete((v, e) -> {
            if (e != null) {
                installedOn.remove(tunnel);
            }
        });
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && server != null;
    }

    @Override
    public VmSocketAddress localAddress() {
        return (VmSocketAddress) super.localAddress();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        if (server != null) {
            throw new IllegalStateException(this + " is already bound to " + local);
        }
        VmSocketAddress address = new VmSocketAddress(VmSocketAddress.vmAddressOf(localAddress, "local"));
        local = address;
        server = VmServer.builder().name("netty " + address.vmAddress()).listen(address.vmAddress())
                .acceptor(this::accept).build();
    }

    /** The VmServer's acceptor, on a tunnel's executor: queue the connection, or refuse it by throwing. */
    private void accept(VmConnection connection) throws VmException {
        if (!isActive()) {
            throw new VmException(ErrorCode.REFUSED, this + " is closed");
        }
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            throw new VmException(ErrorCode.REFUSED, this + " has " + MAX_PENDING + " connections waiting");
        }
        pending.add(connection);
        try {
            eventLoop().execute(this::readIfRequested);
        } catch (RejectedExecutionException e) {
            pending.remove(connection);
            pendingCount.decrementAndGet();
            throw new VmException(ErrorCode.REFUSED, this + " has no running event loop");
        }
    }

    private void readIfRequested() {
        if (readPending && !inReadLoop) {
            readLoop();
        }
    }

    @Override
    protected void doBeginRead() {
        readPending = true;
        if (!inReadLoop) {
            readLoop();
        }
    }

    private void readLoop() {
        inReadLoop = true;
        try {
            while (readPending && !pending.isEmpty() && isActive()) {
                readPending = false;
                @SuppressWarnings("deprecation")
                RecvByteBufAllocator.Handle handle = unsafe().recvBufAllocHandle();
                handle.reset(config);
                VmConnection c;
                do {
                    c = pending.poll();
                    if (c == null) {
                        break;
                    }
                    pendingCount.decrementAndGet();
                    handle.incMessagesRead(1);
                    pipeline().fireChannelRead(new VmChannel(this, c));
                } while (handle.continueReading());
                handle.readComplete();
                pipeline().fireChannelReadComplete();
            }
        } finally {
            inReadLoop = false;
        }
    }

    @Override
    protected void doClose() {
        if (!open) {
            return;
        }
        open = false;
        VmServer s = server;
        if (s != null) {
            for (Tunnel t : installedOn) {
                t.uninstall(s);
            }
        }
        installedOn.clear();
        VmConnection c;
        while ((c = pending.poll()) != null) {
            pendingCount.decrementAndGet();
            c.reset(ErrorCode.REFUSED);
        }
    }

    @Override
    public String toString() {
        return "VmServerChannel{" + id().asShortText() + (local == null ? " unbound" : " " + local.vmAddress()) + '}';
    }
}
