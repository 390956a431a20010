/**
 * The contract test kit, shipped as vm-engine's test-jar: one abstract JUnit 5 suite,
 * {@link org.p2pvm.engine.contract.TunnelContractTest}, that every carrier runs against its own
 * links, through the public API only.
 *
 * <h2>Running it for a transport</h2>
 * Depend on {@code org.p2pvm:vm-engine:test-jar} (scope test) and write
 * <pre>{@code
 * class NioContractTest extends TunnelContractTest {
 *     @Override protected TunnelHarness createHarness() {
 *         return new TransportHarness("nio", () -> Transports.get("nio"), () -> Transports.get("nio"),
 *                 URI.create("tcp://127.0.0.1:0"));
 *     }
 * }
 * }</pre>
 * {@link org.p2pvm.engine.contract.TransportHarness} binds the acceptor transport (a new server per
 * tunnel pair), puts a {@link org.p2pvm.engine.contract.TcpFaultProxy} in front of it and dials the
 * proxy, so {@code killCarrier()} can reset the TCP connection mid-transfer. Use an IP literal in the
 * bind URI (the dial URI gets the proxy's IP literal; {@code TestPki} certificates cover 127.0.0.1
 * and ::1). Dialer and acceptor may be different transports (interop: {@code "nio→netty"}). A carrier
 * without TCP underneath implements {@link org.p2pvm.engine.contract.TunnelHarness} itself (see
 * {@code org.p2pvm.engine.memory.MemoryHarness}).
 *
 * <h2>What it checks</h2>
 * Each scenario is named after the PROTOCOL.md section it checks: handshake and wrong token (§4),
 * listen push both ways, the wildcard listener, one server on many tunnels (§1, §4 step 5), 10,000
 * concurrent streams with SHA-256 both ways, early data, half close, reset both ways, refusal,
 * MAX_STREAMS, blocking streams (§5), slow reader, manual consume, writability (§6), fragmentation
 * (§7), ping, graceful and abrupt close, carrier dropped mid-transfer (§8). Every wait is bounded, so nothing hangs; a carrier with
 * slow links by design may scale the heavy scenarios down with {@code scale()}.
 *
 * <h2>Self-test</h2>
 * {@code TransportHarnessSelfTest} runs the kit over real TCP with a minimal blocking-socket
 * transport, so a failure a transport sees is not the kit's own.
 */
package org.p2pvm.engine.contract;
