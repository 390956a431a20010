package org.p2pvm.transport.netty;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.p2pvm.TlsOptions;
import org.p2pvm.engine.contract.TestPki;
import org.p2pvm.engine.contract.TransportHarness;
import org.p2pvm.engine.contract.TunnelContractTest;
import org.p2pvm.engine.contract.TunnelHarness;
import org.p2pvm.spi.Transports;

/**
 * The contract kit over netty→netty with TLS on the carrier (client certificates required), through
 * the kit's {@link TransportHarness#withTls}. The one scenario that compares {@code tunnel.options()}
 * with the options it passed is skipped: {@code withTls} adds TLS to them on purpose.
 */
@ExtendWith(NettyTlsContractTest.SkipOptionsIdentity.class)
class NettyTlsContractTest extends TunnelContractTest {
    /** Disables the scenario that checks the options are passed through untouched. */
    static final class SkipOptionsIdentity implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod().filter(m -> m.getName().equals("s4_handshake_opensBothEnds")).isPresent()
                    ? ConditionEvaluationResult.disabled("the TLS harness changes the options on purpose")
                    : ConditionEvaluationResult.enabled("");
        }
    }

    @TempDir
    static Path pkiDir;

    @Override
    protected TunnelHarness createHarness() throws Exception {
        TestPki pki = TestPki.create(pkiDir, "localhost", "127.0.0.1");
        return new TransportHarness("netty→netty tls", () -> Transports.get("netty"), () -> Transports.get("netty"),
                URI.create("tcp://127.0.0.1:0")).withTls(pki.clientTls(), pki.serverTls(TlsOptions.ClientAuth.REQUIRED));
    }
}
