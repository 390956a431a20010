package org.p2pvm.examples.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Default values from the environment and a YAML {@code --config} file, for picocli
 * ({@link picocli.CommandLine#setDefaultValueProvider}). Precedence: a flag on the command line,
 * then the environment variable {@code P2PVM_<OPTION>} (e.g. {@code --max-tunnels} →
 * {@code P2PVM_MAX_TUNNELS}, {@code --token} → {@code P2PVM_TOKEN}), then the file's
 * {@code <command>.<option>} key, then its top-level {@code <option>} key, then the built-in default.
 *
 * <pre>
 * transport: netty            # top level: every command
 * serve:
 *   bind: 0.0.0.0:9988
 *   forward: ["[::10]:80=127.0.0.1:8080"]
 *   max-tunnels: 10
 * connect:
 *   peer: server.example:9988
 *   local: ["127.0.0.1:8080=[::10]:80"]
 * </pre>
 *
 * Keys are option names without the dashes; a list becomes one value per element (multi-valued
 * options split on commas); {@code true}/{@code false} set flags. Parsed with SnakeYAML's safe
 * constructor (plain maps, lists and scalars only). Read once, on the parsing thread.
 */
final class ConfigDefaults implements IDefaultValueProvider {
    private final Map<String, Object> config;
    private final Function<String, String> env;

    ConfigDefaults(Map<String, Object> config, Function<String, String> env) {
        this.config = config;
        this.env = env;
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException with a one-line reason when it cannot be read or is not a YAML map
     */
    static Map<String, Object> load(Path file) {
        try (Reader r = Files.newBufferedReader(file)) {
            Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
            if (root == null) {
                return Map.of();
            }
            if (!(root instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("config " + file + " is not a map of options");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) m;
            return map;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read config " + file + ": " + e, e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("config " + file + " is not valid YAML: "
                    + e.getMessage().replace('\n', ' '), e);
        }
    }

    @Override
    public String defaultValue(ArgSpec argSpec) {
        if (!(argSpec instanceof OptionSpec option) || !option.longestName().startsWith("--")) {
            return null;
        }
        String key = option.longestName().substring(2);
        if (key.equals("config") || key.equals("help") || key.equals("version")) {
            return null;
        }
        String fromEnv = env.apply("P2PVM_" + key.toUpperCase(Locale.ROOT).replace('-', '_'));
        if (fromEnv != null) {
            return fromEnv;
        }
        String command = option.command() == null ? null : option.command().name();
        Object value = null;
        if (command != null && config.get(command) instanceof Map<?, ?> section) {
            value = section.get(key);
        }
        if (value == null && !(config.get(key) instanceof Map)) {
            value = config.get(key);
        }
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }
}
