package org.p2pvm.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.p2pvm.examples.cli.ServeConnectProcessTest.Lines;
import org.p2pvm.examples.cli.ServeConnectProcessTest.Run;

/**
 * The shaded {@code examples/target/p2pvm.jar} run as a user runs it, {@code java -jar}, by
 * maven-failsafe in the {@code verify} phase (after {@code package} built the jar). Unlike the
 * surefire tests, which start the main class from the test class path, this proves the jar itself:
 * its manifest, and that the shade step merged every module's {@code META-INF/services} file (a
 * transport whose file was overwritten would be missing from {@code p2pvm transports}).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class P2pvmJarIT {
    private static final Pattern LISTENING = Pattern.compile("listening on tcp://127\\.0\\.0\\.1:(\\d+) ");
    private static Path jar;

    @BeforeAll
    static void findJar() {
        jar = Path.of(System.getProperty("p2pvm.jar", "target/p2pvm.jar"));
        assertTrue(Files.isRegularFile(jar), jar.toAbsolutePath() + " is missing: run mvn verify, which packages it first");
    }

    private static ProcessBuilder javaJar(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove(TokenOption.ENV);
        return pb;
    }

    @Test
    void transportsListsEveryModulesTransport_soTheServiceFilesWereMerged() throws Exception {
        Run r = ServeConnectProcessTest.run(javaJar("transports"), 60);
        assertEquals(0, r.exitCode(), r.toString());
        for (String name : List.of("nio", "netty", "grizzly", "websocket", "memory")) {
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(name + " ")), name + " is not listed:\n" + r);
        }
    }

    @Test
    void demoMovesAndVerifiesEveryByte() throws Exception {
        Run r = ServeConnectProcessTest.run(javaJar("demo", "--connections", "200", "--bytes", "4k"), 120);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("demo over memory to [::99]:11139: 200 of 200 connections OK, every byte verified"),
                r.toString());
        assertTrue(r.out().contains("800.0 KiB sent, 800.0 KiB echoed and verified"), r.toString());
        assertTrue(Pattern.compile("verified in \\d+\\.\\d\\d s: \\d+\\.\\d (B|KiB|MiB|GiB)/s each way")
                .matcher(r.out()).find(), "the summary's throughput figure:\n" + r);
    }

    @Test
    void serveAndConnectAsTwoJavaJarProcesses() throws Exception {
        Process serve = javaJar("serve", "--transport", "nio", "--bind", "127.0.0.1:0", "--token", "it-token",
                "--echo", "[::99]:11139").start();
        try {
            serve.getOutputStream().close();
            Lines out = new Lines(serve.getInputStream());
            Lines err = new Lines(serve.getErrorStream());
            String listening = out.await(l -> LISTENING.matcher(l).find(), 60);
            assertNotNull(listening, "serve printed no 'listening on' line:\n" + out.text() + "\n" + err.text());
            Matcher m = LISTENING.matcher(listening);
            assertTrue(m.find());
            Run r = ServeConnectProcessTest.run(javaJar("connect", "--transport", "nio", "--peer",
                    "127.0.0.1:" + m.group(1), "--token", "it-token", "--echo-test", "[::99]:11139",
                    "--connections", "200", "--bytes", "4k"), 120);
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.out().contains("echo test over nio to [::99]:11139: 200 of 200 connections OK, every byte verified"),
                    r.toString());
        } finally {
            serve.destroy();
            if (!serve.waitFor(20, TimeUnit.SECONDS)) {
                serve.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
