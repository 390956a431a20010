package org.p2pvm.bench.scenario;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named benchmark scenario (issue 9 / 11 table). {@link #run} appends its rows to the context and
 * throws only when the whole run must stop.
 */
public interface Scenario {
    /** Short id used by {@code --scenario}. */
    String id();

    /** One line: what it measures and against what. */
    String description();

    /** Runs the scenario on the context's transports. */
    void run(Context context) throws Exception;

    /** All scenarios, in run order. */
    static Map<String, Scenario> all() {
        Map<String, Scenario> m = new LinkedHashMap<>();
        for (Scenario s : new Scenario[] {new BulkScenario(false), new BulkScenario(true), new RequestResponseScenario(),
            new OpenCloseScenario(), new FairnessScenario(), new FatLinkScenario(), new HeldMemoryScenario(),
            new IdleStreamsScenario()}) {
            m.put(s.id(), s);
        }
        return m;
    }
}
