package io.sightline.gateway.client;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.context.Context;
import io.sightline.gateway.config.GatewayConfig;
import io.sightline.gateway.error.GatewayException;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.util.TypeLiteral;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
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
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * fallback-service's {@code POST /api/v1/query} on a plain Vert.x HTTP client: the question goes out as the
 * bytes the gateway validated and the answer comes back as the open response (status and headers read, body
 * paused), so a JSON answer is read once and an SSE answer relayed chunk by chunk. Behind the same kind of
 * circuit breaker as {@link FallbackClient}'s calls (8 calls, 75 % failures, 5 s open): a dead
 * fallback-service costs a failed future, not a connect timeout per question. Same base URL, internal
 * token and trace context as the REST client.
 */
@ApplicationScoped
public class FallbackQueries {

    /** The open answer: its status and headers are known, its body is still to be read (paused). */
    public record Opened(HttpClientRequest request, HttpClientResponse response) {
    }

    private final HttpClient client;
    private final URI base;
    private final String authorization;
    private final String path;
    private final Duration queryTimeout;
    private final OpenTelemetry telemetry;

    private static final TypeLiteral<CompletionStage<Opened>> OPENED = new TypeLiteral<>() {
    };

    private final Guard breaker = Guard.create().withDescription("fallback-service query")
            .withCircuitBreaker().name("fallback-query").requestVolumeThreshold(8).failureRatio(0.75)
            .delay(5, ChronoUnit.SECONDS).successThreshold(1).done().build();

    FallbackQueries(Vertx vertx, GatewayConfig config, Config mp, OpenTelemetry telemetry) {
        this.base = URI.create(mp.getOptionalValue("quarkus.rest-client.fallback.url", String.class).orElse("http://localhost:8083"));
        this.authorization = config.internalToken().map(t -> "Bearer " + t).orElse(null);
        this.path = base.getPath().replaceAll("/$", "") + "/api/v1/query";
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
     * POSTs the question at {@code priority} (1-10), asking for {@code accept} ({@code application/json} or
     * {@code text/event-stream}). Completes once fallback-service's status and headers are in, with the body
     * paused; fails on connection errors with a 503 {@link GatewayException}, and at once with one while the
     * breaker is open. Any answer, refusals included, counts as the service being alive.
     */
    public Future<Opened> open(Buffer body, int priority, String accept) {
        CompletionStage<Opened> guarded;
        try {
            guarded = breaker.get(() -> send(body, priority, accept).toCompletionStage(), OPENED);
        } catch (CircuitBreakerOpenException e) {
            return Future.failedFuture(open());
        }
        return Future.fromCompletionStage(guarded).recover(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return Future.failedFuture(cause instanceof CircuitBreakerOpenException ? open() : cause);
        });
    }

    private static GatewayException open() {
        return GatewayException.unavailable(FallbackClient.SERVICE,
                "it failed repeatedly, calls are paused for a few seconds (circuit breaker open)", null);
    }

    private Future<Opened> send(Buffer body, int priority, String accept) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(base.getHost())
                .setPort(base.getPort() > 0 ? base.getPort() : 80).setURI(path);
        Context trace = Context.current();
        return client.request(options).compose(request -> {
            // a service that accepts the question and then says nothing fails the call (504) and counts for the breaker
            request.idleTimeout(queryTimeout.toMillis());
            request.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .putHeader(HttpHeaders.ACCEPT, accept)
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
