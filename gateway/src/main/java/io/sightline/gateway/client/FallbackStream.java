package io.sightline.gateway.client;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.sightline.gateway.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.Config;

import java.net.URI;
import java.time.Duration;

/**
 * fallback-service's query route asked for Server-Sent Events: the answer is handed over as the open
 * response, so the gateway relays each chunk as it arrives instead of buffering the answer. Separate from
 * {@link FallbackClient} (whose REST client reads bodies whole); same base URL, internal token and trace context.
 */
@ApplicationScoped
public class FallbackStream {

    /** The open answer: its status and headers are known, its body is still to be read (paused). */
    public record Opened(HttpClientRequest request, HttpClientResponse response) {
    }

    private final HttpClient client;
    private final URI base;
    private final String authorization;
    private final Duration queryTimeout;
    private final OpenTelemetry telemetry;

    FallbackStream(Vertx vertx, GatewayConfig config, Config mp, OpenTelemetry telemetry) {
        this.base = URI.create(mp.getOptionalValue("quarkus.rest-client.fallback.url", String.class).orElse("http://localhost:8083"));
        this.authorization = config.internalToken().map(t -> "Bearer " + t).orElse(null);
        this.queryTimeout = config.downstream().queryTimeout();
        this.telemetry = telemetry;
        this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(64)
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.downstream().timeout().toMillis())));
    }

    @PreDestroy
    void close() {
        client.close();
    }

    /** The whole answer must have arrived within this (the non-streaming query's limit too). */
    public Duration timeout() {
        return queryTimeout;
    }

    /**
     * POSTs the question with {@code Accept: text/event-stream} at {@code priority} (1-10). Completes once
     * fallback-service's status and headers are in, with the body paused; fails on connection errors as
     * {@link FallbackClient#query} does (503).
     */
    public Future<Opened> open(Buffer body, int priority) {
        String path = base.getPath().replaceAll("/$", "") + "/api/v1/query";
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(base.getHost())
                .setPort(base.getPort() > 0 ? base.getPort() : 80).setURI(path);
        Context trace = Context.current();
        return client.request(options).compose(request -> {
            request.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.ACCEPT, "text/event-stream")
                    .putHeader("X-Priority", Integer.toString(priority));
            if (authorization != null) {
                request.putHeader(HttpHeaders.AUTHORIZATION, authorization);
            }
            telemetry.getPropagators().getTextMapPropagator().inject(trace, request, (r, k, v) -> r.putHeader(k, v));
            return request.send(body).map(response -> {
                response.pause();
                return new Opened(request, response);
            });
        }).recover(e -> Future.failedFuture(Downstreams.translate(e, FallbackClient.SERVICE, queryTimeout)));
    }
}
