package org.p2pvm.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code p2pvm} command line tool (the main class of {@code examples/target/p2pvm.jar}).
 *
 * <p>Subcommands: {@code transports}, {@code demo}, {@code serve}, {@code connect}, {@code gen-cert}.
 * Each is one class; shared options are picocli mixins ({@link TransportOptions}, {@link TokenOption},
 * {@link TlsFlags}, {@link MonitorOptions}). Port forwarding ({@code --forward}, {@code --local},
 * {@code --expose}) lives in {@code org.p2pvm.examples.forward}; {@code connect}'s reconnection in
 * {@link DialLoop}. {@code --config FILE} is read before parsing and feeds picocli's default-value
 * provider ({@link ConfigDefaults}), so {@code P2PVM_*} environment variables and flags override it.
 *
 * <p>Every failure ends with one line on stderr and a non-zero exit ({@link ErrorHandlers}): 2 for
 * a wrong argument, 1 for a failure while running; {@code --verbose} adds the stack trace.
 */
@Command(name = "p2pvm", mixinStandardHelpOptions = true, versionProvider = P2pvmCommand.Version.class,
        description = "Many virtual connections through one tunnel over one physical link.",
        subcommands = {TransportsCommand.class, DemoCommand.class, ServeCommand.class, ConnectCommand.class,
                GenCertCommand.class, org.p2pvm.bench.BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class P2pvmCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Print the stack trace of a failure.")
    boolean verbose;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "YAML file of option defaults (see ConfigDefaults); flags and P2PVM_* environment "
                    + "variables override it.")
    java.nio.file.Path config;

    /** Runs the tool and exits the JVM with its exit code. */
    public static void main(String[] args) {
        LogDefaults.apply(args);
        System.exit(newCommandLine().execute(args));
    }

    /**
     * The tool, ready to {@link CommandLine#execute}; tests set its out/err writers and run it
     * in-process.
     */
    public static CommandLine newCommandLine() {
        return newCommandLine(System::getenv);
    }

    /** As {@link #newCommandLine()}, with {@code env} standing in for the environment (tests). */
    static CommandLine newCommandLine(java.util.function.Function<String, String> env) {
        ErrorHandlers handlers = new ErrorHandlers();
        CommandLine cmd = new CommandLine(new P2pvmCommand()) {
            @Override
            public int execute(String... args) {
                // The file must be read before picocli parses (defaults are resolved while parsing).
                java.util.Map<String, Object> values = java.util.Map.of();
                java.nio.file.Path file = ConfigFile.find(args);
                if (file != null) {
                    try {
                        values = ConfigDefaults.load(file);
                        ConfigFile.check(this, values, file);
                    } catch (IllegalArgumentException e) {
                        getErr().println("p2pvm: " + e.getMessage());
                        getErr().flush();
                        return getCommandSpec().exitCodeOnInvalidInput();
                    }
                }
                setDefaultValueProvider(new ConfigDefaults(values, env));
                return super.execute(args);
            }
        };
        return cmd.setParameterExceptionHandler(handlers).setExecutionExceptionHandler(handlers);
    }

    /** {@code p2pvm} alone: the usage on stderr, exit code 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.exitCodeOnInvalidInput();
    }

    /** Reads the version Maven wrote into {@code p2pvm-version.properties}. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = P2pvmCommand.class.getResourceAsStream("p2pvm-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"p2pvm " + p.getProperty("version", "(unknown version)"),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
