package org.p2pvm.engine.contract;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs chosen scenarios of {@link TunnelContractTest} outside JUnit's lifecycle, so the interop
 * matrix can run the same scenario code over every (dialer, acceptor) pair. It lives in the kit's
 * package because the scenarios and the lifecycle hooks are package-private; it is not a test class
 * itself (its name does not match surefire's patterns).
 *
 * <p>Called from one test thread; not thread-safe.
 */
public final class ContractScenarios extends TunnelContractTest {
    /** A scenario of the kit. */
    @FunctionalInterface
    public interface Scenario {
        void run(ContractScenarios kit) throws Exception;
    }

    /** The scenarios of the interop matrix, by the name the matrix prints, in order. */
    public static final Map<String, Scenario> MATRIX = new LinkedHashMap<>();

    static {
        MATRIX.put("handshake", ContractScenarios::s4_handshake_opensBothEnds);
        MATRIX.put("listen push", ContractScenarios::s4_5_listenPush_bothDirections);
        MATRIX.put("1000 streams sha256", ContractScenarios::s5_tenThousandConcurrentStreams_sha256BothWays);
        MATRIX.put("half close", ContractScenarios::s5_halfClose_otherDirectionStillFlows);
        MATRIX.put("reset", ContractScenarios::s5_reset_failsBothEnds);
        MATRIX.put("ping", ContractScenarios::s8_ping_measuresRtt);
        MATRIX.put("goaway", ContractScenarios::s8_gracefulGoaway_drainsStreams);
    }

    private final Supplier<TunnelHarness> harness;
    private final Scale scale;

    /**
     * @param streams streams of the many-streams scenario (the matrix uses 1,000)
     */
    public ContractScenarios(Supplier<TunnelHarness> harness, int streams) {
        this.harness = harness;
        this.scale = new Scale(streams, Scale.DEFAULT.maxStreamBytes(), Scale.DEFAULT.bulkBytes());
    }

    @Override
    protected TunnelHarness createHarness() {
        return harness.get();
    }

    @Override
    protected Scale scale() {
        return scale;
    }

    /**
     * The kit's own blocking-socket TCP transport (not registered with ServiceLoader): a reference
     * carrier for the reliability suites while the real transports are not yet in the reactor.
     */
    public static org.p2pvm.spi.Transport referenceTcpTransport() {
        return new BlockingSocketTransport();
    }

    /** Creates the harness (binds nothing yet). */
    public void start() throws Exception {
        createTheHarness();
    }

    /** Runs one scenario, then closes the tunnels it opened (bounded). */
    public void run(Scenario scenario) throws Exception {
        try {
            scenario.run(this);
        } finally {
            closeTunnels();
        }
    }

    /** Closes the harness: servers, proxies, transports. */
    public void stop() throws Exception {
        closeTheHarness();
    }
}
