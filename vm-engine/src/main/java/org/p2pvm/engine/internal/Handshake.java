package org.p2pvm.engine.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.p2pvm.ErrorCode;
import org.p2pvm.engine.internal.frame.FrameType;
import org.p2pvm.engine.internal.frame.ProtocolViolation;

/**
 * The HELLO / AUTH exchange of PROTOCOL.md §4: nonces, HELLO parsing, and the HMAC-SHA256 proof of
 * the shared token, compared in constant time.
 *
 * <p>Owned by the tunnel's executor. The token never leaves this class except inside the MAC key.
 */
final class Handshake {
    private static final byte[] LABEL = "P2PVM-AUTH-1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] key;
    private final byte[] localNonce = new byte[FrameType.NONCE_LENGTH];
    private byte[] peerNonce;
    private PeerSettings peerSettings;
    private boolean authVerified;

    Handshake(String token) {
        this.key = token.getBytes(StandardCharsets.UTF_8);
        RANDOM.nextBytes(localNonce);
    }

    byte[] localNonce() {
        return localNonce;
    }

    boolean helloReceived() {
        return peerNonce != null;
    }

    boolean authVerified() {
        return authVerified;
    }

    PeerSettings peerSettings() {
        return peerSettings;
    }

    /** Checks the peer's HELLO (§4 step 2) and remembers its nonce and settings. */
    void onHello(ByteBuffer p) throws ProtocolViolation {
        if (peerNonce != null) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "second HELLO (§4)");
        }
        byte[] magic = new byte[FrameType.MAGIC.length];
        p.get(0, magic);
        if (!Arrays.equals(magic, FrameType.MAGIC)) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "HELLO without the P2PVM magic (§4): not a p2pvm peer");
        }
        int version = p.get(5) & 0xFF;
        if (version != FrameType.VERSION) {
            throw ProtocolViolation.tunnel(ErrorCode.VERSION_MISMATCH, "peer speaks protocol version " + version
                    + ", this end speaks " + FrameType.VERSION + " (§4)");
        }
        byte[] nonce = new byte[FrameType.NONCE_LENGTH];
        p.get(6, nonce);
        if (MessageDigest.isEqual(nonce, localNonce)) {
            throw ProtocolViolation.tunnel(ErrorCode.AUTH_FAILED, "peer reflected this end's nonce (§4)");
        }
        int settingsBytes = p.limit() - FrameType.HELLO_FIXED;
        if (settingsBytes % 6 != 0 || settingsBytes / 6 > FrameType.MAX_SETTINGS) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "HELLO settings are " + settingsBytes
                    + " bytes: not a whole number of at most 32 settings (§2)");
        }
        int n = settingsBytes / 6;
        int[] ids = new int[n];
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            int off = FrameType.HELLO_FIXED + 6 * i;
            ids[i] = p.getShort(off) & 0xFFFF;
            values[i] = Integer.toUnsignedLong(p.getInt(off + 2));
        }
        peerSettings = PeerSettings.fromPairs(ids, values, n);
        peerNonce = nonce;
    }

    /** The AUTH this end sends: HMAC(token, label ‖ own nonce ‖ peer nonce). */
    byte[] localProof() {
        return mac(localNonce, peerNonce);
    }

    /** Verifies the peer's AUTH (§4 step 3) in constant time. */
    void onAuth(ByteBuffer proof) throws ProtocolViolation {
        if (peerNonce == null) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "AUTH before HELLO (§4)");
        }
        if (authVerified) {
            throw ProtocolViolation.tunnel(ErrorCode.PROTOCOL_ERROR, "second AUTH (§4)");
        }
        byte[] got = new byte[FrameType.AUTH_LENGTH];
        proof.get(0, got);
        if (!MessageDigest.isEqual(got, mac(peerNonce, localNonce))) {
            throw ProtocolViolation.tunnel(ErrorCode.AUTH_FAILED, "peer's AUTH does not verify: the tokens differ (§4)");
        }
        authVerified = true;
    }

    private byte[] mac(byte[] senderNonce, byte[] receiverNonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // an empty token is valid (§4) but SecretKeySpec rejects empty keys; HMAC pads keys with
            // zeros to the block size, so one zero byte is the same key as no bytes at all
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            mac.update(LABEL);
            mac.update(senderNonce);
            mac.update(receiverNonce);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable in this JDK", e);
        }
    }
}
