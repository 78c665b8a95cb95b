package io.sightline.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.sightline.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.Duration;

/**
 * notify-service as the gateway uses it: bounded time, a circuit breaker, one retry for reads. Non-2xx answers
 * are returned, not thrown, so they pass through (notify-service's 400 naming the field, 404).
 */
@ApplicationScoped
public class NotifyClient {

    public static final String SERVICE = "notify-service";

    private final NotifyRestClient rest;
    private final Duration timeout;

    NotifyClient(@RestClient NotifyRestClient rest, GatewayConfig config) {
        this.rest = rest;
        this.timeout = config.downstream().timeout();
    }

    @WithSpan("notify.notifications")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> notifications(String job, String limit) {
        return guard(rest.notifications(job, limit), timeout);
    }

    @WithSpan("notify.channels")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> channels() {
        return guard(rest.channels(), timeout);
    }

    @WithSpan("notify.channel.put")
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> putChannel(String name, JsonNode body) {
        return guard(rest.putChannel(name, body), timeout);
    }

    @WithSpan("notify.channel.delete")
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> deleteChannel(String name) {
        return guard(rest.deleteChannel(name), timeout);
    }

    /** One real delivery attempt, bounded by notify-service's own request timeout: more time than a read. */
    @WithSpan("notify.channel.test")
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> testChannel(String name) {
        return guard(rest.testChannel(name), timeout.multipliedBy(5));
    }

    /** Readiness probe: true when notify-service says it is ready. No breaker: health must see the truth. */
    public Uni<Boolean> ready(Duration within) {
        return rest.ready().map(r -> {
            try {
                return r.getStatus() == 200;
            } finally {
                r.close();
            }
        }).ifNoItem().after(within).fail();
    }

    private static Uni<DownstreamResponse> guard(Uni<jakarta.ws.rs.core.Response> call, Duration timeout) {
        return Downstreams.guard(call.map(DownstreamResponse::of), SERVICE, timeout);
    }
}
