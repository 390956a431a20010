package org.p2pvm.transport.websocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A private nginx configured as a WebSocket reverse proxy on loopback, for tests: its own config,
 * logs, pid and temp files in a temporary directory, one process ({@code master_process off}), in
 * the foreground ({@code daemon off}), stopped by {@link #close()}. No system nginx service is used.
 *
 * <p>Routing: {@code /port/N/PATH} is proxied to {@code http://127.0.0.1:N/PATH} with the WebSocket
 * upgrade headers passed on, so one nginx fronts any number of backend servers bound on port 0.
 */
final class NginxProcess implements AutoCloseable {
    private final Path dir;
    private final Process process;
    private final int port;

    private NginxProcess(Path dir, Process process, int port) {
        this.dir = dir;
        this.process = process;
        this.port = port;
    }

    /**
     * The nginx binary, if installed: {@code $P2PVM_NGINX} when set ({@code none} to skip the nginx
     * tests on purpose), else {@code nginx} on the PATH or in /usr/sbin.
     */
    static Optional<Path> binary() {
        String override = System.getenv("P2PVM_NGINX");
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override.trim());
            return override.trim().equals("none") || !Files.isExecutable(p) ? Optional.empty() : Optional.of(p);
        }
        String path = System.getenv().getOrDefault("PATH", "") + java.io.File.pathSeparator + "/usr/sbin";
        for (String d : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(d.isEmpty() ? "." : d, "nginx");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Why the nginx tests are skipped when it is absent. */
    static final String ABSENT = "nginx is not installed (apt-get install nginx-light, or set P2PVM_NGINX):"
            + " skipping the WebSocket reverse proxy test; .ci/run installs it in CI";

    /**
     * Whether a missing nginx fails the tests instead of skipping them: environment variable
     * {@code P2PVM_REQUIRE_NGINX=1} (set by .ci/run, so CI cannot go green without the proxy test) or
     * system property {@code -Dp2pvm.requireNginx=true}.
     */
    static boolean required() {
        String env = System.getenv("P2PVM_REQUIRE_NGINX");
        return Boolean.getBoolean("p2pvm.requireNginx")
                || env != null && (env.trim().equals("1") || env.trim().equalsIgnoreCase("true"));
    }

    /** Skips the calling test with a clear message when nginx is not installed (fails it when required). */
    static Path requireBinary() {
        Optional<Path> bin = binary();
        check(bin.isPresent(), required());
        return bin.get();
    }

    /** Skips the calling test (each test, so reports list it as skipped with the reason) without nginx. */
    static void assumeInstalled() {
        check(binary().isPresent(), required());
    }

    /** Skips ({@code TestAbortedException}) or, when nginx is required, fails ({@code AssertionError}). */
    static void check(boolean present, boolean required) {
        if (!present && required) {
            throw new AssertionError("nginx is required (P2PVM_REQUIRE_NGINX / -Dp2pvm.requireNginx) but not"
                    + " installed or P2PVM_NGINX names none: install nginx-light or point P2PVM_NGINX at it");
        }
        Assumptions.assumeTrue(present, ABSENT);
    }

    /** Starts nginx on a free loopback port; skips the test when nginx is absent. */
    static NginxProcess start() throws Exception {
        Path bin = requireBinary();
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort(); // nginx cannot report an ephemeral port: pick one, retry on a race
            }
            Path dir = Files.createTempDirectory("p2pvm-nginx-");
            Files.writeString(dir.resolve("nginx.conf"), config(dir, port));
            Process p = new ProcessBuilder(bin.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                    "-g", "daemon off; master_process off; pid " + dir.resolve("nginx.pid") + ";")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("stdout.log").toFile())
                    .start();
            NginxProcess nginx = new NginxProcess(dir, p, port);
            try {
                nginx.awaitListening();
                return nginx;
            } catch (IOException e) {
                last = e;
                nginx.close();
            }
        }
        throw last;
    }

    private static String config(Path dir, int port) {
        return String.join("\n",
                "worker_processes 1;",
                "error_log " + dir.resolve("error.log") + " warn;",
                "events { worker_connections 256; }",
                "http {",
                "  access_log " + dir.resolve("access.log") + ";",
                "  client_body_temp_path " + dir.resolve("client_body") + ";",
                "  proxy_temp_path " + dir.resolve("proxy") + ";",
                "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "  scgi_temp_path " + dir.resolve("scgi") + ";",
                "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }",
                "  server {",
                "    listen 127.0.0.1:" + port + ";",
                "    location ~ ^/port/(\\d+)(/.*)$ {",
                "      proxy_pass http://127.0.0.1:$1$2$is_args$args;",
                "      proxy_http_version 1.1;",
                "      proxy_set_header Upgrade $http_upgrade;",
                "      proxy_set_header Connection $connection_upgrade;",
                "      proxy_set_header Host $host;",
                "      proxy_buffering off;",
                "      proxy_read_timeout 1h;",
                "      proxy_send_timeout 1h;",
                "    }",
                "  }",
                "}",
                "");
    }

    /** Waits until nginx accepts connections, or fails with its log when it exits first. */
    private void awaitListening() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("nginx exited with " + process.exitValue() + ": " + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                process.waitFor(50, TimeUnit.MILLISECONDS); // poll: nginx has no readiness signal
            }
        }
        throw new IOException("nginx did not listen on 127.0.0.1:" + port + " within 20 s: " + log());
    }

    /** nginx's own output and error log. */
    String log() {
        StringBuilder b = new StringBuilder();
        for (String f : List.of("stdout.log", "error.log")) {
            try {
                b.append(Files.readString(dir.resolve(f), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // not written yet
            }
        }
        return b.toString().trim();
    }

    int port() {
        return port;
    }

    /** The nginx URI that reaches {@code backend} (a {@code ws://127.0.0.1:PORT/PATH} URI). */
    java.net.URI front(java.net.URI backend) {
        return java.net.URI.create("ws://127.0.0.1:" + port + "/port/" + backend.getPort() + backend.getRawPath());
    }

    /** Freezes nginx (SIGSTOP): it stops reading and writing, a slow reader in the middle. */
    void freeze() throws IOException, InterruptedException {
        signal("-STOP");
    }

    /** Resumes nginx after {@link #freeze()} (SIGCONT). */
    void thaw() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String sig) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", sig, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill " + sig + " " + process.pid() + " failed");
        }
    }

    /** Stops nginx (SIGTERM, then SIGKILL after 10 s) and deletes its directory. */
    @Override
    public void close() throws IOException {
        try {
            if (process.isAlive()) {
                thaw(); // a test that failed while nginx was frozen must not leave it stopped
            }
            process.destroy(); // SIGTERM: nginx's fast shutdown
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
