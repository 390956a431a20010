package org.p2pvm.examples.cli;

import java.util.List;

/**
 * Picks the log level of the tool's slf4j-simple binding before the first logger exists. The
 * library logs tunnel events at INFO; {@code serve} shows them (a failed handshake from a client
 * with a wrong token is worth a line), while {@code connect} and {@code demo} keep stderr for their
 * own one-line error and show WARN and above only, unless {@code --verbose}. A level given with
 * {@code -Dorg.slf4j.simpleLogger.defaultLogLevel=...} always wins. Other settings come from
 * {@code simplelogger.properties}. Undertow and XNIO log through jboss-logging, which is pointed at
 * slf4j so that their lines follow the same levels and format.
 */
final class LogDefaults {
    static final String LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
    /** Makes jboss-logging (Undertow, XNIO: the websocket transport) log through slf4j, not java.util.logging. */
    static final String JBOSS_PROVIDER_PROPERTY = "org.jboss.logging.provider";

    private LogDefaults() {
    }

    /** Sets the default level for a run with {@code args}; call once, first thing in {@code main}. */
    static void apply(String[] args) {
        if (System.getProperty(LEVEL_PROPERTY) == null) {
            System.setProperty(LEVEL_PROPERTY, level(List.of(args)));
        }
        if (System.getProperty(JBOSS_PROVIDER_PROPERTY) == null) {
            System.setProperty(JBOSS_PROVIDER_PROPERTY, "slf4j");
        }
    }

    static String level(List<String> args) {
        if (args.contains("--verbose") || args.contains("-v")) {
            return "info";
        }
        String command = args.stream().filter(a -> !a.startsWith("-")).findFirst().orElse("");
        return command.equals("serve") ? "info" : "warn";
    }
}
