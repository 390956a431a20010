package org.p2pvm.engine.contract;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.p2pvm.ErrorCode;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/**
 * The plumbing of {@link TunnelContractTest} (extend that, not this): one {@link TunnelHarness}
 * per test class, tunnel pairs opened per test and closed after it (abruptly, bounded), and the
 * scenario sizes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ContractTestBase {
    /** The shared token of the kit's tunnels (tests of a wrong token use another on one side). */
    protected static final String TOKEN = "contract-kit-token";

    private TunnelHarness harness;
    private final List<TunnelPair> opened = new CopyOnWriteArrayList<>();

    /** The carrier under test; called once per test class. */
    protected abstract TunnelHarness createHarness() throws Exception;

    /**
     * How much work the heavy scenarios do. A carrier whose links are slow by design (tiny chunks,
     * delays) may scale down; the defaults are the contract: 10,000 streams of up to 6 KiB each way.
     */
    protected Scale scale() {
        return Scale.DEFAULT;
    }

    /**
     * @param streams concurrent streams of the many-streams scenario
     * @param maxStreamBytes largest payload of one stream in one direction there (sizes vary 1..max)
     * @param bulkBytes payload of the single-stream scenarios
     */
    public record Scale(int streams, int maxStreamBytes, int bulkBytes) {
        public static final Scale DEFAULT = new Scale(10_000, 6 * 1024, 1 << 20);
    }

    @BeforeAll
    final void createTheHarness() throws Exception {
        harness = createHarness();
        assertNotNull(harness, "createHarness() returned null");
    }

    @AfterAll
    final void closeTheHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    /** Closes every tunnel a test opened (CANCELLED, no drain) and checks each one closes in time. */
    @AfterEach
    final void closeTunnels() {
        List<CompletableFuture<?>> closing = new ArrayList<>();
        List<TunnelPair> pairs = List.copyOf(opened);
        opened.clear();
        for (TunnelPair p : pairs) {
            for (CompletableFuture<Tunnel> f : List.of(p.dialer(), p.acceptor())) {
                if (f.isDone() && !f.isCompletedExceptionally()) {
                    Tunnel t = f.join();
                    t.close(ErrorCode.CANCELLED, "contract test over");
                    closing.add(t.closeFuture());
                }
            }
        }
        Waits.await(CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)),
                "every tunnel of the test to close after close(CANCELLED)");
    }

    /** The options every scenario starts from: the kit's token, defaults otherwise. */
    protected TunnelOptions.Builder options() {
        return TunnelOptions.builder().authToken(TOKEN).handshakeTimeout(Duration.ofSeconds(10));
    }

    /** Opens a pair through the harness without waiting (for handshake failures). */
    protected TunnelPair openPair(TunnelOptions dialer, TunnelOptions acceptor, Consumer<Tunnel> onDialerOpen,
            Consumer<Tunnel> onAcceptorOpen) throws Exception {
        TunnelPair p = harness.open(dialer, acceptor, onDialerOpen, onAcceptorOpen);
        opened.add(p);
        return p;
    }

    /** Opens a pair and waits for both ends. */
    protected Tunnels open(TunnelOptions dialer, TunnelOptions acceptor, Consumer<Tunnel> onDialerOpen,
            Consumer<Tunnel> onAcceptorOpen) throws Exception {
        TunnelPair p = openPair(dialer, acceptor, onDialerOpen, onAcceptorOpen);
        return new Tunnels(Waits.await(p.dialer(), "the dialer's tunnel to open over " + harness.name()),
                Waits.await(p.acceptor(), "the acceptor's tunnel to open over " + harness.name()), p);
    }

    /** Opens a pair with default options whose acceptor runs {@code server}. */
    protected Tunnels openServing(VmServer server) throws Exception {
        return open(options().build(), options().build(), null, t -> t.install(server));
    }

    protected String carrierName() {
        return harness.name();
    }

    /** Both ends of one open tunnel. */
    protected record Tunnels(Tunnel dialer, Tunnel acceptor, TunnelPair pair) {
    }

    /** A server whose acceptor hands every connection to {@code onConnection} (which sets its handler). */
    protected static VmServer server(VmAddress address, Consumer<VmConnection> onConnection) {
        return VmServer.listen(address, onConnection::accept);
    }
}
