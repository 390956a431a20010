package org.p2pvm.engine;

import java.nio.ByteBuffer;

/**
 * The engine side of a {@link Carrier}: what the transport calls, always on the carrier's executor.
 * Obtained from {@link TunnelEngine#open}.
 */
public interface CarrierListener {

    /**
     * Bytes arrived on the link. The engine consumes all remaining bytes of {@code data} before
     * returning and keeps no reference to it afterwards (it copies what it must keep), so the carrier
     * may reuse or release the buffer once this returns.
     */
    void onRead(ByteBuffer data);

    /** {@link Carrier#isWritable()} turned true again. */
    void onWritable();

    /**
     * The link is closed (EOF, error, or after {@link Carrier#close}). Called once.
     *
     * @param cause null for an orderly close or EOF, else the I/O error; a carrier that learned a
     *     protocol-level reason at its own level (a WebSocket close code) passes a
     *     {@link org.p2pvm.VmException} carrying that code
     */
    void onClosed(Throwable cause);
}
