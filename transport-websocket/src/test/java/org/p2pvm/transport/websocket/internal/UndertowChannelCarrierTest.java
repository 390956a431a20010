package org.p2pvm.transport.websocket.internal;

/**
 * {@link WebSocketCarrierTest}'s cases with {@link UndertowCarrier} (Undertow's WebSocket channel,
 * selected by {@code -Dp2pvm.websocket.serverCodec=undertow}) as the server carrier.
 */
class UndertowChannelCarrierTest extends WebSocketCarrierTest {
    @Override
    boolean undertowFrames() {
        return true;
    }
}
