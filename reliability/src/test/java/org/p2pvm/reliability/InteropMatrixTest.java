package org.p2pvm.reliability;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.p2pvm.engine.contract.ContractScenarios;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.spi.Transports;

/**
 * Issue 8 §1: every ordered pair (dialer transport, acceptor transport) among the TCP transports
 * (nio, netty, grizzly), plus websocket with its own client and server, runs the contract kit's
 * scenarios (handshake, listen push both ways, 1,000 SHA-256-checked streams both ways, half close,
 * reset, ping, graceful GOAWAY) through {@link TransportHarness} (a TCP fault proxy in the middle).
 *
 * <p>A transport that is not on the class path (not yet in the reactor) makes its pairs abort with
 * an assumption that names it. The websocket client dials only {@code ws://} servers, and the TCP
 * transports speak no WebSocket, so websocket pairs only with itself. The matrix is printed at the
 * end and written to {@code target/INTEROP.md} (copied to {@code docs/INTEROP.md}).
 */
class InteropMatrixTest {
    static final List<String> TCP = List.of("nio", "netty", "grizzly");
    static final String WS = "websocket";
    static final String REFERENCE = "kit-socket";
    static final int STREAMS = 1000;
    static final Duration SCENARIO_LIMIT = Duration.ofSeconds(120);

    /** pair name → scenario → outcome ("pass", "FAIL: ...", "skipped: ..."). */
    private static final Map<String, Map<String, String>> RESULTS = new LinkedHashMap<>();
    private static final Map<String, Long> MILLIS = new LinkedHashMap<>();

    static List<String[]> pairs() {
        List<String[]> pairs = new ArrayList<>();
        for (String d : TCP) {
            for (String a : TCP) {
                pairs.add(new String[] {d, a});
            }
        }
        pairs.add(new String[] {WS, WS});
        return pairs;
    }

    @TestFactory
    Stream<DynamicNode> matrix() {
        return pairs().stream().map(p -> pair(p[0], p[1]));
    }

    /**
     * The same scenarios over the kit's reference blocking-socket transport: shows the matrix's own
     * machinery works whatever transports are present.
     */
    @TestFactory
    Stream<DynamicNode> reference() {
        return Stream.of(pair(REFERENCE, REFERENCE));
    }

    private static DynamicNode pair(String dialer, String acceptor) {
        String name = dialer + "→" + acceptor;
        Map<String, String> row = new LinkedHashMap<>();
        RESULTS.put(name, row);
        List<String> missing = new ArrayList<>();
        for (String t : List.of(dialer, acceptor)) {
            if (!t.equals(REFERENCE) && !Transports.names().contains(t) && !missing.contains(t)) {
                missing.add(t);
            }
        }
        if (!missing.isEmpty()) {
            String why = "transport " + String.join(", ", missing) + " not in the reactor yet (no ServiceLoader "
                    + "provider on the class path; found " + Transports.names() + ")";
            ContractScenarios.MATRIX.keySet().forEach(s -> row.put(s, "skipped: " + why));
            return DynamicTest.dynamicTest(name + " (skipped)", () -> Assumptions.abort(name + ": " + why));
        }
        URI bind = URI.create(dialer.equals(WS) ? "ws://127.0.0.1:0/p2pvm" : "tcp://127.0.0.1:0");
        ContractScenarios kit = new ContractScenarios(() -> new TransportHarness(name, () -> transport(dialer),
                () -> transport(acceptor), bind), STREAMS);
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(DynamicTest.dynamicTest(name + ": start", kit::start));
        ContractScenarios.MATRIX.forEach((scenario, code) -> tests.add(DynamicTest.dynamicTest(name + ": " + scenario,
                () -> {
                    long t0 = System.nanoTime();
                    try {
                        assertTimeoutPreemptively(SCENARIO_LIMIT, () -> kit.run(code), name + " " + scenario);
                        row.put(scenario, "pass");
                    } catch (Throwable e) {
                        row.put(scenario, "FAIL: " + firstLine(e));
                        // name the pair: a CI log's one-line summary shows only the message
                        throw new AssertionError(name + " " + scenario + ": " + e.getMessage(), e);
                    } finally {
                        MILLIS.merge(name, (System.nanoTime() - t0) / 1_000_000, Long::sum);
                    }
                })));
        tests.add(DynamicTest.dynamicTest(name + ": stop", kit::stop));
        return DynamicContainer.dynamicContainer(name, tests);
    }

    private static org.p2pvm.spi.Transport transport(String name) {
        return name.equals(REFERENCE) ? ContractScenarios.referenceTcpTransport() : Transports.get(name);
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        m = nl >= 0 ? m.substring(0, nl) : m;
        return (m.length() > 160 ? m.substring(0, 160) + "…" : m).replace('|', '/');
    }

    @AfterAll
    static void report() throws Exception {
        String md = render();
        System.out.println(md);
        Path target = Path.of(System.getProperty("basedir", "."), "target");
        Files.createDirectories(target);
        Files.writeString(target.resolve("INTEROP.md"), md, StandardCharsets.UTF_8);
    }

    static String render() {
        StringBuilder b = new StringBuilder();
        b.append("# Interop matrix (last run)\n\n");
        b.append("Generated by `reliability/src/test/java/org/p2pvm/reliability/InteropMatrixTest.java` on ")
                .append(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS))
                .append(" (Java ").append(System.getProperty("java.version")).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores).\n");
        b.append("Each cell: contract scenarios passed / run over a TcpFaultProxy, dialer → acceptor. Scenarios: ")
                .append(String.join(", ", ContractScenarios.MATRIX.keySet()))
                .append(" (1,000 streams, 1..6 KiB each way, SHA-256 checked).\n\n");
        b.append("| dialer \\ acceptor |");
        for (String a : TCP) {
            b.append(' ').append(a).append(" |");
        }
        b.append(' ').append(WS).append(" |\n|---|");
        b.append("---|".repeat(TCP.size() + 1)).append('\n');
        for (String d : List.of("nio", "netty", "grizzly", WS)) {
            b.append("| **").append(d).append("** |");
            for (String a : List.of("nio", "netty", "grizzly", WS)) {
                b.append(' ').append(cell(d + "→" + a)).append(" |");
            }
            b.append('\n');
        }
        b.append("\n`n/a`: the websocket client dials only `ws://` URIs and the TCP transports' servers speak no "
                + "WebSocket (nor does the websocket server accept raw TCP carriers), so websocket pairs only with "
                + "itself. `kit-socket` is the contract kit's reference blocking-socket TCP transport (a baseline for the "
                + "matrix itself).\n\n## Per pair\n\n| pair | time (ms) | scenario results |\n|---|---|---|\n");
        RESULTS.forEach((pair, row) -> {
            b.append("| ").append(pair).append(" | ").append(MILLIS.getOrDefault(pair, 0L)).append(" | ");
            List<String> parts = new ArrayList<>();
            boolean allSkipped = !row.isEmpty() && row.values().stream().allMatch(v -> v.startsWith("skipped"));
            if (allSkipped) {
                parts.add(row.values().iterator().next());
            } else {
                row.forEach((s, r) -> parts.add(s + ": " + r));
            }
            b.append(String.join("; ", parts)).append(" |\n");
        });
        return b.toString();
    }

    private static String cell(String pair) {
        Map<String, String> row = RESULTS.get(pair);
        if (row == null) {
            return "n/a";
        }
        long pass = row.values().stream().filter("pass"::equals).count();
        long skipped = row.values().stream().filter(v -> v.startsWith("skipped")).count();
        if (skipped == row.size() && !row.isEmpty()) {
            return "skipped";
        }
        long run = ContractScenarios.MATRIX.size();
        return pass + "/" + run + (pass == run ? " ✅" : " ❌");
    }
}
