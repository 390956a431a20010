package org.p2pvm.transport.grizzly.internal;

import java.lang.reflect.Method;
import org.glassfish.grizzly.Buffer;
import org.glassfish.grizzly.Connection;
import org.glassfish.grizzly.filterchain.DefaultFilterChain;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.memory.Buffers;

/**
 * Takes the bytes an application's filter chain has read from a connection but not consumed yet: the
 * remainders its codec filters keep for the next message (a {@code StringFilter} that decoded a login
 * line keeps whatever followed the line, e.g. the peer's HELLO).
 *
 * <p>Grizzly keeps these per connection inside {@link DefaultFilterChain} (a private
 * {@code FiltersState}) and offers no public way to take them, so this class reaches them by
 * reflection — the one place in the module that does. It is written against grizzly-framework 4.0.2
 * (pinned by the build and checked by {@code GrizzlyUpgradeTest}); if the internals ever change it
 * fails loudly with {@link IllegalStateException} instead of losing bytes. Taking a remainder removes
 * it, so the chain does not re-run its codec on bytes that now belong to the tunnel.
 *
 * <p>Call on the thread that runs the chain for this connection, from inside a filter's
 * {@code handleRead}.
 */
final class ChainRemainders {
    private static final Method GET;
    private static final Method TAKE;
    private static final Throwable UNAVAILABLE;

    static {
        Method get = null;
        Method take = null;
        Throwable failure = null;
        try {
            Class<?> state = Class.forName(DefaultFilterChain.class.getName() + "$FiltersState");
            get = state.getDeclaredMethod("get", FilterChainContext.Operation.class, int.class);
            take = state.getDeclaredMethod("append", FilterChainContext.Operation.class, int.class, Object.class);
            get.setAccessible(true);
            take.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            failure = e;
        }
        GET = get;
        TAKE = take;
        UNAVAILABLE = failure;
    }

    private ChainRemainders() {
    }

    /**
     * Removes and returns the unconsumed bytes of {@code ctx}'s connection, in stream order: first the
     * rest of the message the calling filter received (if it is a {@link Buffer}), then the
     * remainders of the filters before it, nearest first. Null when there are none.
     *
     * @throws IllegalStateException when a filter holds a remainder that is not bytes, or the chain
     *     is not a {@link DefaultFilterChain} of the expected version
     */
    static Buffer take(FilterChainContext ctx) {
        Connection<?> connection = ctx.getConnection();
        Buffer result = null;
        Object message = ctx.getMessage();
        if (message instanceof Buffer && ((Buffer) message).hasRemaining()) {
            result = (Buffer) message;
            ctx.setMessage(null);
        }
        FilterChain chain = ctx.getFilterChain();
        if (!(chain instanceof DefaultFilterChain)) {
            throw new IllegalStateException("cannot take unread bytes from a " + chain.getClass().getName()
                    + ": upgrade needs a chain built with FilterChainBuilder (DefaultFilterChain)");
        }
        if (UNAVAILABLE != null) {
            throw new IllegalStateException("this Grizzly version hides its filter remainders differently than 4.0.2; "
                    + "cannot upgrade without losing bytes", UNAVAILABLE);
        }
        Object state = connection.obtainProcessorState(chain, () -> null);
        if (state == null) {
            return result;
        }
        int caller = ctx.getFilterIdx();
        int start = ctx.getStartIdx();
        try {
            for (int i = caller - 1; i >= start; i--) {
                if (GET.invoke(state, FilterChainContext.Operation.READ, i) == null) {
                    continue;
                }
                Object kept = TAKE.invoke(state, FilterChainContext.Operation.READ, i, null);
                if (kept == null) {
                    continue;
                }
                if (!(kept instanceof Buffer)) {
                    throw new IllegalStateException("filter " + chain.get(i) + " holds an unfinished "
                            + kept.getClass().getName() + ", not bytes: upgrade from a filter before it");
                }
                Buffer bytes = (Buffer) kept;
                if (bytes.hasRemaining()) {
                    result = result == null ? bytes : Buffers.appendBuffers(connection.getMemoryManager(), result, bytes);
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot take unread bytes from the filter chain", e);
        }
        return result;
    }
}
