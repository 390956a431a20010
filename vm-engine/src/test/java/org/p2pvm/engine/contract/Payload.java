package org.p2pvm.engine.contract;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Random bytes and their SHA-256, for checking that a stream delivered exactly what was sent. */
final class Payload {
    static final Payload EMPTY = new Payload(new byte[0]);

    final byte[] bytes;
    final byte[] sha256;

    private Payload(byte[] bytes) {
        this.bytes = bytes;
        this.sha256 = sha256().digest(bytes);
    }

    static Payload random(SplittableRandom random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return new Payload(b);
    }

    int length() {
        return bytes.length;
    }

    boolean matches(byte[] digest, long length) {
        return length == bytes.length && Arrays.equals(digest, sha256);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest, 0, Math.min(8, digest.length)) + "…";
    }
}
