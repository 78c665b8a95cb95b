package io.sightline.gateway.client;

import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.sightline.gateway.config.GatewayConfig;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import java.time.Duration;

/** vlm-service as the console's System page reads it (model states and download progress, queue depth per class). */
@ApplicationScoped
public class VlmServiceClient {

    public static final String SERVICE = "vlm-service";

    private final VlmServiceRestClient rest;
    private final Duration timeout;

    VlmServiceClient(@RestClient VlmServiceRestClient rest, GatewayConfig config) {
        this.rest = rest;
        this.timeout = config.downstream().timeout();
    }

    @WithSpan("vlm-service.models")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> models() {
        return Downstreams.guard(rest.models().map(DownstreamResponse::of), SERVICE, timeout);
    }

    @WithSpan("vlm-service.queue")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> queue() {
        return Downstreams.guard(rest.queue().map(DownstreamResponse::of), SERVICE, timeout);
    }
}
