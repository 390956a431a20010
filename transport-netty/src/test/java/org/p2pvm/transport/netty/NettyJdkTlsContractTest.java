package org.p2pvm.transport.netty;

/** {@link NettyTlsContractTest} on the JDK's {@code SSLEngine}. */
class NettyJdkTlsContractTest extends NettyTlsContractTest {
    @Override
    String provider() {
        return "jdk";
    }
}
