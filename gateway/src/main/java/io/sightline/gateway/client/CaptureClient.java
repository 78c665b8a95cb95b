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

/** capture-service as the gateway uses it (cameras; pushed frames go through {@link CapturePush}). */
@ApplicationScoped
public class CaptureClient {

    public static final String SERVICE = "capture-service";

    private final CaptureRestClient rest;
    private final Duration timeout;

    CaptureClient(@RestClient CaptureRestClient rest, GatewayConfig config) {
        this.rest = rest;
        this.timeout = config.downstream().timeout();
    }

    @WithSpan("capture.cameras")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> cameras() {
        return Downstreams.guard(rest.cameras().map(DownstreamResponse::of), SERVICE, timeout);
    }

    @WithSpan("capture.camera")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> camera(String id) {
        return Downstreams.guard(rest.camera(id).map(DownstreamResponse::of), SERVICE, timeout);
    }

    @WithSpan("capture.camera.put")
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> putCamera(String id, JsonNode body) {
        return Downstreams.guard(rest.putCamera(id, body).map(DownstreamResponse::of), SERVICE, timeout);
    }

    @WithSpan("capture.camera.delete")
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> deleteCamera(String id) {
        return Downstreams.guard(rest.deleteCamera(id).map(DownstreamResponse::of), SERVICE, timeout);
    }

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
