package org.p2pvm.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.TransportServer;
import org.p2pvm.spi.Transports;

/**
 * The API tour of the README, as a program that compiles and runs: two peers in one process over
 * the nio transport on loopback; one installs a virtual echo server, the other opens a virtual
 * connection, writes a greeting and reads it back. The README shows the lines between the
 * {@code tour:begin} and {@code tour:end} markers verbatim, and {@code ReadmeTourTest} keeps the
 * two equal.
 */
public final class ApiTour {
    private ApiTour() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println(run());
    }

    /** Runs the tour and returns what came back through the tunnel. */
    public static String run() throws Exception {
        // tour:begin
        try (Transport transport = Transports.get("nio")) {           // found by ServiceLoader
            TunnelOptions options = TunnelOptions.builder().authToken("s3cret").build();
            VmAddress address = VmAddress.parse("[::99]:11139");       // a virtual address: IPv6 + port

            // Peer A: a virtual echo server, installed on every tunnel that opens.
            VmServer echo = VmServer.listen(address, conn -> conn.setHandler(new VmConnection.Handler() {
                @Override
                public void onData(VmConnection c, ByteBuffer data) {
                    // data is valid only during this call: copy it, the engine owns the copy until written
                    c.write(ByteBuffer.allocate(data.remaining()).put(data).flip());
                }

                @Override
                public void onInputShutdown(VmConnection c) {
                    c.shutdownOutput();                                  // FIN after the echo
                }
            }));
            TransportServer server = transport
                    .bind(URI.create("tcp://127.0.0.1:0"), options, tunnel -> tunnel.install(echo)).join();

            // Peer B: dial, open the tunnel, connect virtually, write, read back.
            Tunnel tunnel = transport.connect(server.uri(), options).join();
            tunnel.awaitRemoteListen(address).join();                  // the peer pushes its listens (LISTEN)
            VmConnection conn = tunnel.connect(address).join();
            try (OutputStream out = conn.outputStream()) {             // close() sends FIN
                out.write("hello through the tunnel".getBytes(UTF_8));
            }
            String reply = new String(conn.inputStream().readAllBytes(), UTF_8);
            System.out.println("rtt " + tunnel.ping().join().toMillis() + " ms");
            tunnel.close();                                            // graceful: GOAWAY NO_ERROR
            return reply;
        }
        // tour:end
    }
}
