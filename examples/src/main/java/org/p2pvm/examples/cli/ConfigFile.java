package org.p2pvm.examples.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Finding the {@code --config} file in the arguments before picocli parses them, and checking its
 * keys against the commands' options so a typo is an error instead of a silently ignored setting.
 */
final class ConfigFile {
    private ConfigFile() {
    }

    /** The value of {@code --config FILE} or {@code --config=FILE}, else null. */
    static Path find(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                return null;
            }
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return null;
    }

    /** @throws IllegalArgumentException naming the first unknown key */
    static void check(CommandLine root, Map<String, Object> values, Path file) {
        Set<String> everyOption = new TreeSet<>();
        for (CommandLine sub : root.getSubcommands().values()) {
            everyOption.addAll(options(sub));
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            String key = String.valueOf(e.getKey());
            CommandLine sub = root.getSubcommands().get(key);
            if (sub != null && e.getValue() instanceof Map<?, ?> section) {
                Set<String> known = options(sub);
                for (Object k : section.keySet()) {
                    if (!known.contains(String.valueOf(k))) {
                        throw new IllegalArgumentException("config " + file + ": '" + key + "' has no option '" + k
                                + "' (known: " + String.join(", ", known) + ")");
                    }
                }
            } else if (!everyOption.contains(key)) {
                throw new IllegalArgumentException("config " + file + ": unknown key '" + key
                        + "': use option names without dashes, at the top level or under serve:/connect:/demo:");
            }
        }
    }

    private static Set<String> options(CommandLine cmd) {
        Set<String> names = new TreeSet<>();
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            String n = o.longestName();
            if (n.startsWith("--") && !n.equals("--help") && !n.equals("--version") && !n.equals("--config")) {
                names.add(n.substring(2));
            }
        }
        return names;
    }
}
