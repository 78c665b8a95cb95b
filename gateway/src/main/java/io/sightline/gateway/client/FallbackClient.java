package io.sightline.gateway.client;

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
 * fallback-service's latest frames as the gateway reads them: bounded time, a circuit breaker so a dead service
 * costs nothing, one retry. Non-2xx answers are returned, not thrown, so they pass through. Questions go through
 * {@link FallbackQueries}.
 */
@ApplicationScoped
public class FallbackClient {

    public static final String SERVICE = "fallback-service";

    private final FallbackRestClient rest;
    private final Duration timeout;

    FallbackClient(@RestClient FallbackRestClient rest, GatewayConfig config) {
        this.rest = rest;
        this.timeout = config.downstream().timeout();
    }

    @WithSpan("fallback.frame")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> frame(String camera) {
        return Downstreams.guard(rest.frame(camera).map(DownstreamResponse::of), SERVICE, timeout);
    }

    /** Readiness probe: true when fallback-service says it is ready. No breaker: health must see the truth. */
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
