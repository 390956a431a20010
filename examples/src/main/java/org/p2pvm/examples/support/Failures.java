package org.p2pvm.examples.support;

import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.p2pvm.ErrorCode;
import org.p2pvm.HandshakeException;
import org.p2pvm.StreamResetException;
import org.p2pvm.TunnelClosedException;
import org.p2pvm.VmException;

/**
 * Turns exceptions into one short line for people: what failed, and the error code where p2pvm
 * has one. Used by the command line tool and the echo client's report. Stateless and thread-safe.
 */
public final class Failures {
    private Failures() {
    }

    /** Removes the {@link CompletionException} / {@link ExecutionException} wrappers of futures. */
    public static Throwable unwrap(Throwable t) {
        Throwable cur = t;
        while ((cur instanceof CompletionException || cur instanceof ExecutionException) && cur.getCause() != null) {
            cur = cur.getCause();
        }
        return cur;
    }

    /** The innermost cause, for library exceptions that wrap the informative one. */
    public static Throwable root(Throwable t) {
        Throwable cur = unwrap(t);
        while (cur.getCause() != null && cur.getCause() != cur) {
            cur = unwrap(cur.getCause());
        }
        return cur;
    }

    /**
     * A one-line description of {@code t}: the p2pvm error code for {@link VmException}s, the
     * message for well-known network failures, else the exception's simple name and message.
     */
    public static String describe(Throwable t) {
        Throwable e = unwrap(t);
        if (e instanceof HandshakeException h) {
            String reason = reasonText(h);
            return "handshake failed: " + reason + (reason.contains("token") ? "" : hint(h.errorCode()));
        }
        if (e instanceof TunnelClosedException c) {
            return "tunnel closed: " + reasonText(c);
        }
        if (e instanceof StreamResetException r) {
            return "stream reset " + r.errorCode() + messageSuffix(r);
        }
        if (e instanceof VmException v) {
            return v.errorCode() + messageSuffix(v);
        }
        Throwable root = root(e);
        if (root instanceof BindException) {
            return root.getMessage() == null ? "address in use or not available" : lower(firstLine(root.getMessage()));
        }
        if (root instanceof ConnectException) {
            String m = root.getMessage();
            return m == null || m.toLowerCase(java.util.Locale.ROOT).contains("refused") ? "connection refused"
                    : "cannot connect (" + lower(firstLine(m)) + ")";
        }
        if (root instanceof NoRouteToHostException) {
            return "no route to host";
        }
        if (root instanceof UnknownHostException || root instanceof UnresolvedAddressException) {
            return "cannot resolve the host name";
        }
        if (e.getMessage() != null && !e.getMessage().isBlank()) {
            return (e instanceof java.io.IOException || e instanceof IllegalArgumentException
                    || e instanceof IllegalStateException ? "" : e.getClass().getSimpleName() + ": ")
                    + firstLine(e.getMessage()) + rootSuffix(e, root);
        }
        return e.getClass().getSimpleName() + rootSuffix(e, root);
    }

    /** The error code carried by {@code t} or its causes, or null. */
    public static ErrorCode errorCode(Throwable t) {
        for (Throwable cur = t; cur != null; cur = cur.getCause()) {
            if (cur instanceof VmException v) {
                return v.errorCode();
            }
            if (cur.getCause() == cur) {
                break;
            }
        }
        return null;
    }

    private static String reasonText(TunnelClosedException e) {
        String text = e.reason() != null ? e.reason().toString() : e.errorCode() + messageSuffix(e);
        return text;
    }

    private static String hint(ErrorCode code) {
        if (code == ErrorCode.AUTH_FAILED) {
            return " (the two ends use different tokens)";
        }
        if (code == ErrorCode.TIMEOUT) {
            return " (is the peer a p2pvm server of the same transport?)";
        }
        if (code == ErrorCode.PROTOCOL_ERROR) {
            return " (is the peer a p2pvm server of the same transport?)";
        }
        return "";
    }

    private static String messageSuffix(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? "" : ": " + firstLine(e.getMessage());
    }

    private static String rootSuffix(Throwable e, Throwable root) {
        if (root == e || root.getMessage() == null || e.getMessage() != null && e.getMessage().contains(root.getMessage())) {
            return "";
        }
        return " (" + firstLine(root.getMessage()) + ")";
    }

    /** The first line, without native-call prefixes such as Netty's {@code bind(..) failed with error(-98): }. */
    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = (nl < 0 ? s : s.substring(0, nl)).trim();
        java.util.regex.Matcher m = NATIVE_PREFIX.matcher(line);
        return m.find() ? lower(line.substring(m.end())) : line;
    }

    private static final java.util.regex.Pattern NATIVE_PREFIX =
            java.util.regex.Pattern.compile("^\\w+\\(\\.\\.\\) failed with error\\(-?\\d+\\): ");

    private static String lower(String s) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
