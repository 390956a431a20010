package org.p2pvm.examples.echo;

/**
 * A snapshot of an {@link EchoClient} run in progress, for progress lines.
 *
 * @param connections connections the run will make
 * @param established connections the peer accepted so far
 * @param succeeded connections finished and verified
 * @param failed connections failed
 * @param bytesVerified echoed bytes verified so far
 * @param bytesTotal bytes that all connections together will send
 */
public record EchoProgress(int connections, int established, int succeeded, int failed, long bytesVerified,
        long bytesTotal) {

    /** Connections finished either way. */
    public int finished() {
        return succeeded + failed;
    }
}
