package io.sightline.gateway.client;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.sightline.gateway.config.GatewayConfig;
import io.sightline.gateway.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.streams.ReadStream;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Pushed frames to capture-service, streamed: the caller's body chunks are written to capture-service
 * as they arrive (one pass, no gateway-side copy of the image), counted against the route's byte limit
 * so a chunked body cannot exceed it either. The answer (small JSON) is read whole.
 */
@ApplicationScoped
public class CapturePush {

    /** What capture-service answered. */
    public record Answer(int status, String contentType, Buffer body) {
        public DownstreamResponse asDownstream() {
            return new DownstreamResponse(status, contentType, body == null ? new byte[0] : body.getBytes());
        }
    }

    /** The caller's body grew past the route's limit while it was streamed. */
    public static final class BodyTooLarge extends RuntimeException {
        public final long limit;

        BodyTooLarge(long limit) {
            super("the request body is larger than " + limit + " bytes", null, false, false);
            this.limit = limit;
        }
    }

    private final Vertx vertx;
    private final HttpClient client;
    private final URI base;
    private final String authorization;
    private final Duration timeout;
    private final OpenTelemetry telemetry;

    CapturePush(Vertx vertx, GatewayConfig config, Config mp, OpenTelemetry telemetry) {
        this.vertx = vertx;
        this.base = URI.create(mp.getOptionalValue("quarkus.rest-client.capture.url", String.class).orElse("http://localhost:8081"));
        this.authorization = config.internalToken().map(t -> "Bearer " + t).orElse(null);
        this.timeout = config.downstream().timeout();
        this.telemetry = telemetry;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setMaxPoolSize(64)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis())));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /**
     * Streams {@code body} to capture-service's push route for the camera. The caller must have paused
     * {@code body}. {@code forwarded} holds the request headers passed on (content type, capture time,
     * source, and whatever else the push route forwards); the internal token and trace context are added here.
     *
     * @param contentLength the caller's Content-Length, or -1 for a chunked body
     */
    public Future<Answer> push(String camera, ReadStream<Buffer> body, long contentLength, long limit, MultiMap forwarded) {
        Promise<Answer> answer = Promise.promise();
        String path = base.getPath().replaceAll("/$", "") + "/api/v1/frames/" + camera;
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(base.getHost())
                .setPort(base.getPort() > 0 ? base.getPort() : 80)
                .setURI(path);
        Context trace = Context.current();
        client.request(options).onFailure(e -> fail(answer, e)).onSuccess(request -> {
            // the timeout counts from the last sign of progress: a large frame on a slow uplink keeps streaming as
            // long as bytes flow; once the body is through, capture-service must answer within the timeout
            Watchdog watchdog = new Watchdog(() -> {
                if (answer.tryFail(GatewayException.timeout(CaptureClient.SERVICE, timeout))) {
                    request.reset();
                }
            });
            watchdog.start();
            answer.future().onComplete(done -> watchdog.cancel());
            request.headers().addAll(forwarded);
            if (authorization != null) {
                request.putHeader(HttpHeaders.AUTHORIZATION, authorization);
            }
            telemetry.getPropagators().getTextMapPropagator().inject(trace, request, (r, k, v) -> r.putHeader(k, v));
            if (contentLength >= 0) {
                request.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(contentLength));
            } else {
                request.setChunked(true);
            }
            Limited limited = new Limited(body, limit, watchdog::progress, () -> {
                // the 413 first: resetting the request can fail it at once (a stream reset), and the first
                // outcome wins, so reset second or the caller would get a 503 for its own oversize body
                answer.tryFail(new BodyTooLarge(limit));
                request.reset();
            });
            request.send(limited).onFailure(e -> fail(answer, e)).onSuccess(response ->
                    response.body().onFailure(e -> fail(answer, e)).onSuccess(buffer ->
                            answer.tryComplete(new Answer(response.statusCode(), response.getHeader(HttpHeaders.CONTENT_TYPE), buffer))));
        });
        return answer.future();
    }

    /**
     * Fires {@code expired} once no progress was reported for the timeout. Progress is a timestamp written per chunk;
     * one timer at a time checks it and sleeps again for what is left, so a chunk costs no timer of its own.
     */
    private final class Watchdog {
        private final Runnable expired;
        private final long timeoutNanos = timeout.toNanos();
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean cancelled;
        private volatile long timer = -1;

        Watchdog(Runnable expired) {
            this.expired = expired;
        }

        void start() {
            schedule(timeoutNanos);
        }

        void progress() {
            lastProgress = System.nanoTime();
        }

        private void schedule(long inNanos) {
            timer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(inNanos)), id -> {
                if (cancelled) {
                    return;
                }
                long idle = System.nanoTime() - lastProgress;
                if (idle >= timeoutNanos) {
                    expired.run();
                } else {
                    schedule(timeoutNanos - idle);
                }
            });
        }

        void cancel() {
            cancelled = true;
            long t = timer;
            if (t >= 0) {
                vertx.cancelTimer(t);
            }
        }
    }

    private void fail(Promise<Answer> answer, Throwable e) {
        answer.tryFail(e instanceof BodyTooLarge || e instanceof GatewayException ? e
                : Downstreams.translate(e, CaptureClient.SERVICE, timeout));
    }

    /** The caller's body, cut off (and reported) as soon as it exceeds the limit. */
    private static final class Limited implements ReadStream<Buffer> {
        private final ReadStream<Buffer> source;
        private final long limit;
        private final Runnable progress;
        private final Runnable exceeded;
        private long seen;
        private boolean over;

        Limited(ReadStream<Buffer> source, long limit, Runnable progress, Runnable exceeded) {
            this.source = source;
            this.limit = limit;
            this.progress = progress;
            this.exceeded = exceeded;
        }

        @Override
        public ReadStream<Buffer> handler(Handler<Buffer> handler) {
            if (handler == null) {
                source.handler(null);
                return this;
            }
            source.handler(chunk -> {
                if (over) {
                    return;
                }
                seen += chunk.length();
                progress.run();
                if (seen > limit) {
                    over = true;
                    exceeded.run();
                    // keep reading and dropping the rest, so the caller gets the 413 instead of a reset connection
                    source.resume();
                    return;
                }
                handler.handle(chunk);
            });
            return this;
        }

        @Override
        public ReadStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
            source.exceptionHandler(handler);
            return this;
        }

        @Override
        public ReadStream<Buffer> pause() {
            source.pause();
            return this;
        }

        @Override
        public ReadStream<Buffer> resume() {
            source.resume();
            return this;
        }

        @Override
        public ReadStream<Buffer> fetch(long amount) {
            source.fetch(amount);
            return this;
        }

        @Override
        public ReadStream<Buffer> endHandler(Handler<Void> endHandler) {
            source.endHandler(endHandler == null ? null : v -> {
                progress.run();
                if (!over) {
                    endHandler.handle(v);
                }
            });
            return this;
        }
    }
}
