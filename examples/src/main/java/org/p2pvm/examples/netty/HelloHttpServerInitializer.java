package org.p2pvm.examples.netty;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The application's HTTP server pipeline, exactly as it is on TCP: nothing in it knows about tunnels.
 * It answers every request with "hello from &lt;local address&gt;: &lt;uri&gt;".
 */
public final class HelloHttpServerInitializer extends ChannelInitializer<Channel> {
    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new HttpServerCodec())
                .addLast(new HttpObjectAggregator(1 << 20))
                .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                        String text = "hello from " + ctx.channel().localAddress() + ": " + req.uri() + "\n";
                        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
                        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                        HttpUtil.setContentLength(res, res.content().readableBytes());
                        boolean keepAlive = HttpUtil.isKeepAlive(req);
                        HttpUtil.setKeepAlive(res, keepAlive);
                        var written = ctx.writeAndFlush(res);
                        if (!keepAlive) {
                            written.addListener(ChannelFutureListener.CLOSE);
                        }
                    }
                });
    }
}
