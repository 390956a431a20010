package org.p2pvm.engine.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.p2pvm.engine.contract.Waits.await;
import static org.p2pvm.engine.contract.Waits.on;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.p2pvm.Tunnel;
import org.p2pvm.TunnelStats;
import org.p2pvm.VmAddress;
import org.p2pvm.VmConnection;
import org.p2pvm.VmServer;

/**
 * The many-streams scenario of §5: {@code n} streams at once, even-numbered ones opened by the
 * dialer and odd-numbered ones by the acceptor, each sending a random payload of 1..max bytes each
 * way with {@link DuplexChecker}s. Stream i is opened from source {@code [::1]:i+1} (dialer) or
 * {@code [::2]:i+1} (acceptor), so the accepting side knows which payloads to expect; the opener
 * sends {@code up[i]} and expects {@code down[i]}.
 *
 * <p>The streams are concurrent by construction, not by luck: openers send nothing (so no stream can
 * finish) until every stream has been accepted, and at that moment both stream tables are checked to
 * hold all {@code n} streams at once.
 */
final class ManyStreams {
    private final int n;
    private final Payload[] up;
    private final Payload[] down;
    private final CompletableFuture<Void>[] checks;
    private final List<VmConnection> openers;
    private final List<DuplexChecker> idleOpeners;
    private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    private final CompletableFuture<Void> allAccepted = new CompletableFuture<>();

    @SuppressWarnings({"unchecked", "rawtypes"})
    ManyStreams(int n, int maxBytes, long seed) {
        this.n = n;
        SplittableRandom random = new SplittableRandom(seed);
        up = new Payload[n];
        down = new Payload[n];
        for (int i = 0; i < n; i++) {
            up[i] = Payload.random(random, 1 + random.nextInt(maxBytes));
            down[i] = Payload.random(random, 1 + random.nextInt(maxBytes));
        }
        checks = new CompletableFuture[2 * n];
        for (int i = 0; i < 2 * n; i++) {
            checks[i] = new CompletableFuture<>();
        }
        openers = new ArrayList<>(n);
        idleOpeners = new ArrayList<>(n);
    }

    /** The acceptor of the servers on both ends: checks each accepted stream. */
    VmServer.Acceptor acceptor() {
        return c -> {
            int i = c.remoteAddress().port() - 1;
            forward(DuplexChecker.attach("stream " + i + " at its acceptor", c, down[i], up[i], false).done,
                    checks[n + i]);
            if (accepted.incrementAndGet() == n) {
                allAccepted.complete(null);
            }
        };
    }

    /** Opens every stream (from the test thread) towards the peer's server address. */
    void openAll(Tunnel dialer, VmAddress dialerTarget, Tunnel acceptor, VmAddress acceptorTarget) {
        for (int i = 0; i < n; i++) {
            boolean fromDialer = i % 2 == 0;
            Tunnel from = fromDialer ? dialer : acceptor;
            VmConnection c = from.open(fromDialer ? dialerTarget : acceptorTarget,
                    VmAddress.of(fromDialer ? "::1" : "::2", i + 1));
            openers.add(c);
            DuplexChecker checker = DuplexChecker.attachIdle("stream " + i + " at its opener", c, up[i], down[i]);
            idleOpeners.add(checker);
            forward(checker.done, checks[i]);
        }
        // no opener has sent its FIN, so no stream can have closed: every one is in both tables now
        await(allAccepted, 100, "all " + n + " streams accepted (" + accepted.get() + " so far)");
        assertEquals(n, on(dialer.executor(), dialer::stats, "dialer stats").activeStreams(),
                "streams open at once in the dialer's table");
        assertEquals(n, on(acceptor.executor(), acceptor::stats, "acceptor stats").activeStreams(),
                "streams open at once in the acceptor's table");
        idleOpeners.forEach(DuplexChecker::start);
    }

    /** Waits for every stream on both ends, then checks ids, payload counters and the stream tables. */
    void awaitAndVerify(Tunnel dialer, Tunnel acceptor) {
        String timedOut = "";
        try {
            await(CompletableFuture.allOf(checks).handle((v, e) -> null), 100, n + " streams to finish both ways");
        } catch (AssertionError e) {
            timedOut = e.getMessage() + "; ";
        }
        // root causes first: a checker that fails resets its stream, so its peer fails with a remote RESET
        List<String> causes = new ArrayList<>();
        List<String> consequences = new ArrayList<>();
        for (int i = 0; i < 2 * n; i++) {
            if (!checks[i].isDone()) {
                consequences.add(i < n ? "stream " + i + " at its opener did not finish"
                        : "stream " + (i - n) + " did not finish at its acceptor (or never reached it)");
            } else if (checks[i].isCompletedExceptionally()) {
                Throwable f = Waits.awaitFailure(checks[i], "stream");
                boolean peerReset = f.getCause() instanceof org.p2pvm.StreamResetException r && r.isRemote();
                (peerReset ? consequences : causes).add(String.valueOf(f.getMessage()));
            }
        }
        causes.addAll(consequences);
        assertTrue(causes.isEmpty(), timedOut + causes.size() + " stream ends failed, first ones: "
                + causes.subList(0, Math.min(5, causes.size())));
        long toDialer = 0;
        long toAcceptor = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(i % 2 == 0 ? 1 : 0, openers.get(i).streamId() & 1,
                    "stream " + i + " id " + openers.get(i).streamId() + ": dialer ids are odd, acceptor ids even");
            toAcceptor += (i % 2 == 0 ? up[i] : down[i]).length();
            toDialer += (i % 2 == 0 ? down[i] : up[i]).length();
        }
        TunnelStats ds = on(dialer.executor(), dialer::stats, "dialer stats");
        TunnelStats as = on(acceptor.executor(), acceptor::stats, "acceptor stats");
        assertEquals(toDialer, ds.payloadBytesReceived(), "dialer payload received");
        assertEquals(toAcceptor, as.payloadBytesReceived(), "acceptor payload received");
        assertEquals((n + 1) / 2, ds.streamsOpened(), "streams the dialer opened");
        assertEquals(n / 2, ds.streamsAccepted(), "streams the dialer accepted");
        assertEquals(0, ds.activeStreams(), "dialer streams left");
        assertEquals(0, as.activeStreams(), "acceptor streams left");
        assertTrue(dialer.isOpen() && acceptor.isOpen(), "the tunnel outlives its streams");
    }

    private static void forward(CompletableFuture<Void> from, CompletableFuture<Void> to) {
        from.whenComplete((v, e) -> {
            if (e != null) {
                to.completeExceptionally(e);
            } else {
                to.complete(null);
            }
        });
    }
}
