package org.p2pvm.examples.grizzly;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.glassfish.grizzly.filterchain.BaseFilter;
import org.glassfish.grizzly.filterchain.Filter;
import org.glassfish.grizzly.filterchain.FilterChain;
import org.glassfish.grizzly.filterchain.FilterChainBuilder;
import org.glassfish.grizzly.filterchain.FilterChainContext;
import org.glassfish.grizzly.filterchain.NextAction;
import org.glassfish.grizzly.filterchain.TransportFilter;
import org.glassfish.grizzly.utils.StringFilter;

/**
 * The application of the migration example: a small line-based Grizzly echo service, written the
 * ordinary Grizzly way. Nothing here knows about p2pvm — that is the point: these chains run over TCP
 * before the migration and over virtual connections after it, unchanged.
 */
public final class EchoChains {
    private EchoChains() {
    }

    /** The server chain: TransportFilter + StringFilter (lines) + echo. */
    public static FilterChain server() {
        return lines(new EchoFilter());
    }

    /** A line chain ending in {@code business}. */
    public static FilterChain lines(Filter business) {
        return FilterChainBuilder.stateless()
                .add(new TransportFilter())
                .add(new StringFilter(StandardCharsets.UTF_8, "\n"))
                .add(business)
                .build();
    }

    /** Writes every line back, upper-cased so the output shows who answered. */
    public static final class EchoFilter extends BaseFilter {
        @Override
        public NextAction handleRead(FilterChainContext ctx) {
            String line = ctx.getMessage();
            ctx.write("echo: " + line.toUpperCase(java.util.Locale.ROOT));
            return ctx.getStopAction();
        }
    }

    /** The client's business filter: collects the lines it receives. */
    public static final class CollectFilter extends BaseFilter {
        public final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        @Override
        public NextAction handleRead(FilterChainContext ctx) {
            lines.add(ctx.getMessage());
            return ctx.getStopAction();
        }
    }
}
