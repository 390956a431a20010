package org.p2pvm.engine.internal;

import static org.junit.jupiter.api.Assertions.*;
import static org.p2pvm.engine.internal.frame.FrameType.*;

import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.p2pvm.CloseReason;
import org.p2pvm.ErrorCode;
import org.p2pvm.TunnelOptions;
import org.p2pvm.VmAddress;
import org.p2pvm.VmServer;

/**
 * PROTOCOL.md §2–§6: every length, stream-id and type rule broken once by a raw peer after a valid
 * handshake; each maps to exactly one GOAWAY code and closes the tunnel (§9).
 */
class Section2MalformedFramesTest {
    static final VmAddress A = VmAddress.parse("[::1]:80");

    static Stream<Arguments> tunnelErrors() {
        return Stream.of(
                // §2 stream-id rules
                bad("§2 PING on a stream", PING_LENGTH, PING, 0, 1, new byte[8], ErrorCode.PROTOCOL_ERROR),
                bad("§2 GOAWAY on a stream", 4, GOAWAY, 0, 3, new byte[4], ErrorCode.PROTOCOL_ERROR),
                bad("§2 LISTEN on a stream", LISTEN_LENGTH, LISTEN, 0, 5, new byte[19], ErrorCode.PROTOCOL_ERROR),
                bad("§2 HELLO on a stream", HELLO_FIXED, HELLO, 0, 1, new byte[HELLO_FIXED], ErrorCode.PROTOCOL_ERROR),
                bad("§2 AUTH on a stream", AUTH_LENGTH, AUTH, 0, 1, new byte[32], ErrorCode.PROTOCOL_ERROR),
                bad("§2 OPEN on stream 0", OPEN_LENGTH, OPEN, 0, 0, new byte[36], ErrorCode.PROTOCOL_ERROR),
                bad("§2 ACCEPT on stream 0", 0, ACCEPT, 0, 0, new byte[0], ErrorCode.PROTOCOL_ERROR),
                bad("§2 DATA on stream 0", 1, DATA, 0, 0, new byte[1], ErrorCode.PROTOCOL_ERROR),
                bad("§2 RESET on stream 0", 4, RESET, 0, 0, new byte[4], ErrorCode.PROTOCOL_ERROR),
                // §2 size rules
                bad("§2 PING too short", 7, PING, 0, 0, new byte[7], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 PING too long", 9, PING, 0, 0, new byte[9], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 AUTH wrong size", 31, AUTH, 0, 0, new byte[31], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 GOAWAY too short", 3, GOAWAY, 0, 0, new byte[3], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 GOAWAY too long", 1029, GOAWAY, 0, 0, new byte[0], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 LISTEN wrong size", 18, LISTEN, 0, 0, new byte[18], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 OPEN wrong size", 35, OPEN, 0, 1, new byte[35], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 ACCEPT with payload", 1, ACCEPT, 0, 1, new byte[1], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 WINDOW wrong size", 5, WINDOW, 0, 0, new byte[5], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 RESET wrong size", 3, RESET, 0, 1, new byte[3], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 HELLO too long", 257, HELLO, 0, 0, new byte[0], ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 DATA above MAX_FRAME_PAYLOAD (checked before buffering)", 16385, DATA, 0, 1, new byte[0],
                        ErrorCode.FRAME_SIZE_ERROR),
                bad("§2 unknown type above MAX_FRAME_PAYLOAD", 0xFFFFFF, 0x7F, 0, 0, new byte[0], ErrorCode.FRAME_SIZE_ERROR),
                // §4 after the handshake
                bad("§4 second HELLO", HELLO_FIXED, HELLO, 0, 0, helloPayload(), ErrorCode.PROTOCOL_ERROR),
                bad("§4 second AUTH", AUTH_LENGTH, AUTH, 0, 0, new byte[32], ErrorCode.PROTOCOL_ERROR),
                // §2 LISTEN state
                bad("§2 LISTEN state 2", LISTEN_LENGTH, LISTEN, 0, 0, listen(2), ErrorCode.PROTOCOL_ERROR),
                // §5 OPEN parity: the engine is the acceptor, so the peer (dialer) must use odd ids
                bad("§5 OPEN with the acceptor's parity", OPEN_LENGTH, OPEN, 0, 2, RawPeer.open(A, A), ErrorCode.PROTOCOL_ERROR),
                // §6 windows
                bad("§6 WINDOW increment 0", 4, WINDOW, 0, 0, u32(0), ErrorCode.PROTOCOL_ERROR),
                bad("§6 tunnel window above 2^31-1", 4, WINDOW, 0, 0, u32(0x7FFFFFFF), ErrorCode.FLOW_CONTROL_ERROR));
    }

    private static Arguments bad(String name, int length, int type, int flags, int stream, byte[] payload, ErrorCode code) {
        return Arguments.of(name, length, type, flags, stream, payload, code);
    }

    private static byte[] u32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] listen(int state) {
        ByteBuffer b = ByteBuffer.allocate(19);
        A.writeTo(b);
        b.put((byte) state);
        return b.array();
    }

    private static byte[] helloPayload() {
        ByteBuffer b = ByteBuffer.allocate(HELLO_FIXED);
        b.put(MAGIC).put((byte) 1).put(new byte[16]);
        return b.array();
    }

    @ParameterizedTest(name = "{0} -> {6}")
    @MethodSource("tunnelErrors")
    void brokenRule_closesTunnelWithItsCode(String name, int length, int type, int flags, int stream, byte[] payload,
            ErrorCode code) {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(), null).handshake();
        assertTrue(p.engine.isOpen());
        p.sendFrame(length, type, flags, stream, payload);
        RawPeer.Frame goaway = p.goaway();
        assertNotNull(goaway, "engine must send GOAWAY for: " + name);
        assertEquals(code, goaway.code(), name);
        CloseReason r = p.engine.closeFuture().join();
        assertEquals(code, r.code());
        assertEquals(CloseReason.Origin.LOCAL, r.origin());
        assertTrue(p.carrier.isClosed());
    }

    @Test
    void s2_unknownType_isIgnoredAfterLengthCheck() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(), null).handshake();
        p.sendFrame(100, 0x42, 0xFF, 77, new byte[100]);
        p.send(b -> org.p2pvm.engine.internal.frame.FrameWriter.ping(b, false, 99));
        RawPeer.Frame ack = p.expect(PING);
        assertEquals(FLAG_ACK, ack.flags());
        assertTrue(p.engine.isOpen());
    }

    @Test
    void s2_unknownFlags_areIgnored() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(), null).handshake();
        p.sendFrame(8, PING, 0xFE, 0, new byte[8]);
        assertEquals(FLAG_ACK, p.expect(PING).flags());
    }

    @Test
    void s4_frameBeforeHandshake_isProtocolError() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(), null);
        p.sendFrame(8, PING, 0, 0, new byte[8]);
        assertEquals(ErrorCode.PROTOCOL_ERROR, p.goaway().code());
    }

    @Test
    void s4_badMagic_isProtocolError() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(), null);
        byte[] hello = helloPayload();
        hello[0] = 'X';
        p.sendFrame(HELLO_FIXED, HELLO, 0, 0, hello);
        assertEquals(ErrorCode.PROTOCOL_ERROR, p.goaway().code());
    }

    @Test
    void s4_otherVersion_isVersionMismatch() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(), null);
        byte[] hello = helloPayload();
        hello[5] = 2;
        p.sendFrame(HELLO_FIXED, HELLO, 0, 0, hello);
        assertEquals(ErrorCode.VERSION_MISMATCH, p.goaway().code());
    }

    @Test
    void s4_reflectedNonce_isAuthFailed() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(), null);
        RawPeer.Frame hello = p.expect(HELLO);
        p.sendFrame(hello.payload().length, HELLO, 0, 0, hello.payload());
        assertEquals(ErrorCode.AUTH_FAILED, p.goaway().code());
    }

    @Test
    void s4_badMac_isAuthFailed() {
        RawPeer p = new RawPeer(false, TunnelOptions.builder().authToken("t").build(), null);
        p.expect(HELLO);
        p.sendFrame(HELLO_FIXED, HELLO, 0, 0, helloPayload());
        p.sendFrame(AUTH_LENGTH, AUTH, 0, 0, new byte[32]);
        assertEquals(ErrorCode.AUTH_FAILED, p.goaway().code());
    }

    @Test
    void s3_settingOutOfRange_isProtocolError() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(), null);
        ByteBuffer b = ByteBuffer.allocate(HELLO_FIXED + 6);
        b.put(MAGIC).put((byte) 1).put(new byte[16]).putShort((short) 1).putInt(63); // MAX_FRAME_PAYLOAD < 64
        p.sendFrame(b.capacity(), HELLO, 0, 0, b.array());
        assertEquals(ErrorCode.PROTOCOL_ERROR, p.goaway().code());
    }

    @Test
    void s3_unknownSetting_isIgnored() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(), null);
        p.expect(HELLO);
        ByteBuffer b = ByteBuffer.allocate(HELLO_FIXED + 6);
        b.put(MAGIC).put((byte) 1).put(new byte[16]).putShort((short) 999).putInt(5);
        p.sendFrame(b.capacity(), HELLO, 0, 0, b.array());
        assertNotNull(p.expect(AUTH));
        assertNull(p.goaway());
    }

    @Test
    void s3_maxListensExceeded_isLimitExceeded() {
        RawPeer p = new RawPeer(false, TunnelOptions.builder().maxListens(2).build(), null).handshake();
        p.sendFrame(LISTEN_LENGTH, LISTEN, 0, 0, listenOn(1));
        p.sendFrame(LISTEN_LENGTH, LISTEN, 0, 0, listenOn(2));
        p.sendFrame(LISTEN_LENGTH, LISTEN, 0, 0, listenOn(2)); // repeat: not a new entry
        assertNull(p.goaway());
        p.sendFrame(LISTEN_LENGTH, LISTEN, 0, 0, listenOn(3));
        assertEquals(ErrorCode.LIMIT_EXCEEDED, p.goaway().code());
    }

    private static byte[] listenOn(int port) {
        ByteBuffer b = ByteBuffer.allocate(19);
        A.withPort(port).writeTo(b);
        b.put((byte) 1);
        return b.array();
    }

    @Test
    void s5_openWithIdInUse_isProtocolError() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(),
                t -> t.install(VmServer.listen(A, c -> { }))).handshake();
        p.sendFrame(OPEN_LENGTH, OPEN, 0, 1, RawPeer.open(A, A));
        p.expect(ACCEPT);
        p.sendFrame(OPEN_LENGTH, OPEN, 0, 1, RawPeer.open(A, A));
        assertEquals(ErrorCode.PROTOCOL_ERROR, p.goaway().code());
    }

    @Test
    void s5_acceptOnStreamThePeerOpened_isProtocolError() {
        RawPeer p = new RawPeer(false, TunnelOptions.defaults(),
                t -> t.install(VmServer.listen(A, c -> { }))).handshake();
        p.sendFrame(OPEN_LENGTH, OPEN, 0, 1, RawPeer.open(A, A));
        p.expect(ACCEPT);
        p.sendFrame(0, ACCEPT, 0, 1, new byte[0]);
        assertEquals(ErrorCode.PROTOCOL_ERROR, p.goaway().code());
    }

    @Test
    void s6_dataBeyondTunnelWindow_isFlowControlError() {
        RawPeer p = new RawPeer(false, TunnelOptions.builder().initialTunnelWindow(100).initialStreamWindow(1000).build(),
                t -> t.install(VmServer.listen(A, c -> c.pauseReading()))).handshake();
        p.sendFrame(OPEN_LENGTH, OPEN, 0, 1, RawPeer.open(A, A));
        p.sendFrame(100, DATA, 0, 1, new byte[100]);
        assertNull(p.goaway());
        p.sendFrame(1, DATA, 0, 1, new byte[1]);
        assertEquals(ErrorCode.FLOW_CONTROL_ERROR, p.goaway().code());
    }
}
