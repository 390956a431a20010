package org.p2pvm.transport.nio.internal;

import java.io.IOException;
import java.util.Locale;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Turns the JDK's TLS exceptions into messages that say what failed and on which side, keeping the
 * original as the cause. The engine puts the carrier's failure into the tunnel's close reason, so this
 * text is what a user sees on a failed dial. Stateless.
 */
final class TlsErrors {
    private TlsErrors() {
    }

    /**
     * @param inHandshake whether the failure happened before the handshake finished
     * @return an {@link SSLHandshakeException} during the handshake, else an {@link SSLException}
     */
    static SSLException explain(SSLException e, String peer, boolean inHandshake) {
        return explain(e, peer, inHandshake, false);
    }

    /**
     * @param clientWithoutCertificate we are the client and sent no certificate: a certificate alert
     *     from the server then means it requires one
     */
    static SSLException explain(SSLException e, String peer, boolean inHandshake, boolean clientWithoutCertificate) {
        String m = String.valueOf(e.getMessage());
        String lower = m.toLowerCase(Locale.ROOT);
        String what = clientWithoutCertificate && isCertificateAlert(lower)
                ? "client certificate required: the peer rejected the handshake and we have no certificate to send"
                : reason(lower);
        String msg = (inHandshake ? "TLS handshake with " : "TLS with ") + peer + " failed: "
                + (what == null ? m : what + " (" + m + ")");
        SSLException out = inHandshake || e instanceof SSLHandshakeException
                ? new SSLHandshakeException(msg) : new SSLException(msg);
        out.initCause(e);
        return out;
    }

    /** The socket ended while the TLS handshake was running. */
    static IOException eofInHandshake(String peer, SSLException e) {
        SSLHandshakeException out = new SSLHandshakeException("TLS handshake with " + peer
                + " failed: the peer closed the connection during the TLS handshake (it may not speak TLS, "
                + "or it rejected our certificate or TLS settings)");
        out.initCause(e);
        return out;
    }

    private static boolean isCertificateAlert(String m) {
        return m.contains("received fatal alert: bad_certificate") || m.contains("certificate_required")
                || m.contains("received fatal alert: certificate_unknown");
    }

    private static String reason(String m) {
        if (m.contains("pkix path") || m.contains("unable to find valid certification path")
                || m.contains("certification path")) {
            return "certificate not trusted: the peer's certificate does not chain to a trusted CA";
        }
        if (m.contains("no subject alternative") || m.contains("no name matching")) {
            return "hostname mismatch: the peer's certificate is not valid for the dialled host";
        }
        if (m.contains("empty client certificate chain") || m.contains("empty certificate chain")) {
            return "client certificate required: the peer sent none";
        }
        if (m.contains("certificate_required")) {
            return "client certificate required: the peer demands one and we sent none";
        }
        if (m.contains("received fatal alert: certificate_unknown") || m.contains("received fatal alert: bad_certificate")
                || m.contains("received fatal alert: unknown_ca")) {
            return "certificate not trusted: the peer rejected our certificate (or requires one we did not send)";
        }
        if (m.contains("unsupported or unrecognized ssl message") || m.contains("plaintext connection")) {
            return "the peer does not speak TLS (plaintext?)";
        }
        if (m.contains("no appropriate protocol") || m.contains("protocol_version")) {
            return "no TLS protocol version in common";
        }
        if (m.contains("handshake_failure") || m.contains("no cipher suites in common")) {
            return "no TLS parameters in common";
        }
        if (m.contains("certificate expired") || m.contains("notafter") || m.contains("certificate_expired")) {
            return "certificate expired";
        }
        return null;
    }
}
