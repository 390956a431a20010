package org.p2pvm.examples.cli;

import java.io.PrintWriter;
import java.util.List;
import org.p2pvm.examples.support.Failures;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reports every failure as ONE line on stderr, prefixed with the command ({@code p2pvm serve: ...}),
 * and picks the exit code: {@code 2} for a wrong argument (picocli's usage code), {@code 1} for a
 * failure while running. {@code --verbose} adds the stack trace. Called on the thread that runs
 * {@link CommandLine#execute}.
 */
final class ErrorHandlers implements IParameterExceptionHandler, IExecutionExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        StringBuilder line = new StringBuilder(prefix(cmd)).append(message(ex, cmd));
        if (ex instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                line.append(" (did you mean '").append(String.join("' or '", suggestions)).append("'?)");
            }
        }
        line.append("; see '").append(cmd.getCommandSpec().qualifiedName()).append(" --help'");
        err.println(line);
        if (verbose(args)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        boolean verbose = verbose(parseResult);
        if (ex instanceof CliFailure) {
            err.println(prefix(cmd) + oneLine(ex.getMessage()));
        } else {
            err.println(prefix(cmd) + "unexpected failure: " + Failures.describe(ex)
                    + (verbose ? "" : " (run with --verbose for the stack trace)"));
        }
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return cmd.getCommandSpec().exitCodeOnExecutionException();
    }

    /** Picocli's message, except "Unmatched argument at index 0: 'x'" for a mistyped command. */
    private static String message(ParameterException ex, CommandLine cmd) {
        if (ex instanceof UnmatchedArgumentException u && !u.isUnknownOption() && !cmd.getSubcommands().isEmpty()
                && !u.getUnmatched().isEmpty()) {
            return "unknown command '" + u.getUnmatched().get(0) + "'";
        }
        return oneLine(ex.getMessage());
    }

    private static String prefix(CommandLine cmd) {
        return cmd.getCommandSpec().qualifiedName() + ": ";
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "failed";
        }
        return message.replace("\r", "").replace('\n', ' ').trim();
    }

    private static boolean verbose(String[] args) {
        for (String a : args) {
            if (a.equals("--verbose") || a.equals("-v")) {
                return true;
            }
        }
        return false;
    }

    private static boolean verbose(ParseResult result) {
        for (ParseResult r = result; r != null; r = r.subcommand()) {
            if (r.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
