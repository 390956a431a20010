package org.p2pvm.examples.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The application's HTTP client pipeline, exactly as it is on TCP. Response bodies go to
 * {@link #responses()}.
 */
public final class HelloHttpClientInitializer extends ChannelInitializer<Channel> {
    private final BlockingQueue<String> responses = new LinkedBlockingQueue<>();

    public BlockingQueue<String> responses() {
        return responses;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new HttpClientCodec())
                .addLast(new HttpObjectAggregator(1 << 20))
                .addLast(new SimpleChannelInboundHandler<FullHttpResponse>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
                        responses.add(res.status() + " " + res.content().toString(StandardCharsets.UTF_8).trim());
                    }
                });
    }
}
