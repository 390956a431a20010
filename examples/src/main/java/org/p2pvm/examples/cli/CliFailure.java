package org.p2pvm.examples.cli;

/**
 * A failure the tool expected and can explain in one line (port in use, peer unreachable, wrong
 * token...). {@link ErrorHandlers} prints the message, without a stack trace unless
 * {@code --verbose}, and exits with 1.
 */
final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliFailure(String message) {
        super(message);
    }

    CliFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
