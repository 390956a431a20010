package org.p2pvm.transport.nio.internal;

import java.nio.channels.SelectionKey;

/**
 * What a {@link NioLoop} finds attached to a ready {@link SelectionKey}: a connecting socket, a
 * carrier or an acceptor. Called on the loop's thread only.
 */
interface SelectionHandler {

    /** The key is ready for some of its interest set ({@code key.readyOps()}). */
    void ready(SelectionKey key);

    /**
     * The loop is shutting down: close the channel now and report the loss to whoever waits on it.
     * No further {@link #ready} calls follow.
     */
    void loopClosing();
}
