package org.p2pvm.transport.websocket;

import java.net.URI;
import java.nio.file.Files;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/**
 * The engine's contract kit over wss:// (JDK WebSocket client → Undertow HTTPS listener), through the
 * kit's TCP fault proxy, with client certificates required. Keys are made at run time. The one
 * scenario that compares {@code tunnel.options()} with the options the kit passed is skipped:
 * {@code TransportHarness.withTls} adds the TLS settings to them.
 */
@ExtendWith(WebSocketTlsContractTest.SkipOptionsIdentity.class)
class WebSocketTlsContractTest extends TunnelContractTest {
    private static final TestPki PKI = pki();

    private static TestPki pki() {
        try {
            return TestPki.create(Files.createTempDirectory("p2pvm-wss-kit"));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test PKI", e);
        }
    }

    /** Disables the scenario that checks the options arrive untouched. */
    static final class SkipOptionsIdentity implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod().filter(m -> m.getName().equals("s4_handshake_opensBothEnds")).isPresent()
                    ? ConditionEvaluationResult.disabled("TransportHarness.withTls changes the options on purpose")
                    : ConditionEvaluationResult.enabled("");
        }
    }

    @Override
    protected TunnelHarness createHarness() {
        return new TransportHarness("websocket+tls", () -> Transports.get("websocket"),
                () -> Transports.get("websocket"), URI.create("wss://127.0.0.1:0/p2pvm"))
                .withTls(PKI.clientTls(), PKI.serverTls(TlsOptions.ClientAuth.REQUIRED));
    }
}
