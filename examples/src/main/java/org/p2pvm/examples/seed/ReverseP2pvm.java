package org.p2pvm.examples.seed;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.OutputStream;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * Seed example "reverse P2PVM": the peer that DIALS (think: a machine behind NAT) is the one that
 * serves. It installs a virtual server on its own tunnel; the accepting peer (the public machine)
 * waits until that address shows up in the peer's listen table and connects to it. Nothing in the
 * tunnel cares which side dialled. ({@code p2pvm connect --expose} + {@code serve --local} do the
 * same for real TCP services.)
 */
public final class ReverseP2pvm {
    private ReverseP2pvm() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(run());
    }

    /** Returns what the accepting peer read from the dialer's service. */
    public static String run() throws Exception {
        VmAddress service = VmAddress.parse("[fd00::b]:7000");
        TunnelOptions options = TunnelOptions.builder().authToken("reverse").build();
        try (Transport transport = Transports.get("nio")) {
            java.util.concurrent.CompletableFuture<Tunnel> accepted = new java.util.concurrent.CompletableFuture<>();
            TransportServer publicSide = transport.bind(URI.create("tcp://127.0.0.1:0"), options, accepted::complete)
                    .get(10, TimeUnit.SECONDS);

            // The machine behind NAT dials out, then serves on its end of the tunnel.
            Tunnel natSide = transport.connect(publicSide.uri(), options).get(30, TimeUnit.SECONDS);
            natSide.install(VmServer.listen(service, conn -> {
                OutputStream out = conn.outputStream();
                new Thread(() -> {
                    try (out) {
                        out.write(("hello from the dialer, you are " + conn.remoteAddress()).getBytes(UTF_8));
                    } catch (java.io.IOException e) {
                        conn.reset(org.p2pvm.ErrorCode.INTERNAL_ERROR);
                    }
                }, "reverse-service").start();
            })).get(10, TimeUnit.SECONDS);

            // The public machine connects INTO the dialer's VM.
            Tunnel tunnel = accepted.get(30, TimeUnit.SECONDS);
            tunnel.awaitRemoteListen(service).get(10, TimeUnit.SECONDS);
            VmConnection conn = tunnel.connect(service).get(10, TimeUnit.SECONDS);
            String reply = new String(conn.inputStream().readAllBytes(), UTF_8);
            conn.close();
            natSide.close();
            natSide.closeFuture().get(10, TimeUnit.SECONDS);
            return reply;
        }
    }
}
