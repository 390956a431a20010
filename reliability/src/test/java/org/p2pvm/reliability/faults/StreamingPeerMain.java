package org.p2pvm.reliability.faults;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.engine.contract.ContractScenarios;
import org.p2pvm.spi.Transport;
import org.p2pvm.spi.Transports;

/**
 * The peer process that {@link CarrierFaultTest} kills with SIGKILL: dials the server, opens
 * streams that read and write forever, prints {@code STREAMING} once each has received data, then
 * waits to be killed (exits by itself after two minutes, so an aborted test leaves nothing behind).
 *
 * <p>Arguments: transport name, server URI, token, destination address, stream count.
 */
public final class StreamingPeerMain {
    private StreamingPeerMain() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        Transport transport = name.equals("kit-socket") ? ContractScenarios.referenceTcpTransport() : Transports.get(name);
        TunnelOptions o = TunnelOptions.builder().authToken(args[2]).keepaliveInterval(Duration.ofMillis(500))
                .keepaliveTimeout(Duration.ofSeconds(2)).build();
        Tunnel t = transport.connect(URI.create(args[1]), o).get(20, TimeUnit.SECONDS);
        VmAddress dst = VmAddress.parse(args[3]);
        t.awaitRemoteListen(dst).get(20, TimeUnit.SECONDS);
        int n = Integer.parseInt(args[4]);
        CountDownLatch receiving = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            VmConnection c = t.connect(dst).get(20, TimeUnit.SECONDS);
            InputStream in = c.inputStream();
            OutputStream out = c.outputStream();
            Thread r = new Thread(() -> {
                byte[] b = new byte[16384];
                try {
                    if (in.read(b) > 0) {
                        receiving.countDown();
                    }
                    while (in.read(b) >= 0) {
                        // keep reading
                    }
                } catch (Exception e) {
                    // dying
                }
            });
            Thread w = new Thread(() -> {
                byte[] b = new byte[16384];
                try {
                    while (true) {
                        out.write(b);
                    }
                } catch (Exception e) {
                    // dying
                }
            });
            r.setDaemon(true);
            w.setDaemon(true);
            r.start();
            w.start();
        }
        if (!receiving.await(30, TimeUnit.SECONDS)) {
            System.out.println("NOT STREAMING");
            System.exit(2);
        }
        System.out.println("STREAMING " + n);
        System.out.flush();
        Thread.sleep(120_000); // the test kills this process long before (this is not synchronisation)
        System.exit(3);
    }
}
