package io.sightline.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.sightline.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.client.SseEvent;

import java.time.Duration;

/**
 * watch-service as the gateway uses it: bounded time, a circuit breaker so a dead service costs
 * nothing, retries only for reads. Non-2xx answers are returned, not thrown, so they pass through.
 */
@ApplicationScoped
public class WatchClient {

    public static final String SERVICE = "watch-service";

    private final WatchRestClient rest;
    private final Duration timeout;

    WatchClient(@RestClient WatchRestClient rest, GatewayConfig config) {
        this.rest = rest;
        this.timeout = config.downstream().timeout();
    }

    @WithSpan("watch.create")
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> createWatch(JsonNode body) {
        return Downstreams.guard(rest.createWatch(body).map(DownstreamResponse::of), SERVICE, timeout);
    }

    @WithSpan("watch.list")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> listWatch(String camera, String status) {
        return Downstreams.guard(rest.listWatch(camera, status).map(DownstreamResponse::of), SERVICE, timeout);
    }

    @WithSpan("watch.get")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> getWatch(String id) {
        return Downstreams.guard(rest.getWatch(id).map(DownstreamResponse::of), SERVICE, timeout);
    }

    @WithSpan("watch.cancel")
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> cancelWatch(String id) {
        return Downstreams.guard(rest.cancelWatch(id).map(DownstreamResponse::of), SERVICE, timeout);
    }

    /** Watch job status changes as SSE events (name and data as sent by watch-service). */
    public Multi<SseEvent<String>> watchEvents(String camera) {
        return rest.watchEvents(camera)
                .onFailure().transform(f -> Downstreams.translate(f, SERVICE, timeout));
    }

    /** One job's state now and at each change, ending after its final status. */
    public Multi<SseEvent<String>> watchJobEvents(String id) {
        return rest.watchJobEvents(id)
                .onFailure().transform(f -> Downstreams.translate(f, SERVICE, timeout));
    }

    /** Readiness probe: true when watch-service says it is ready. No breaker: health must see the truth. */
    public Uni<Boolean> ready(Duration within) {
        return rest.ready().map(r -> {
            try {
                return r.getStatus() == 200;
            } finally {
                r.close();
            }
        }).ifNoItem().after(within).fail();
    }
}
