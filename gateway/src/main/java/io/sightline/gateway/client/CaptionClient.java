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

/** caption-service as the gateway uses it (backend tiers). */
@ApplicationScoped
public class CaptionClient {

    public static final String SERVICE = "caption-service";

    private final CaptionRestClient rest;
    private final Duration timeout;

    CaptionClient(@RestClient CaptionRestClient rest, GatewayConfig config) {
        this.rest = rest;
        this.timeout = config.downstream().timeout();
    }

    @WithSpan("caption.backends")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> backends() {
        return Downstreams.guard(rest.backends().map(DownstreamResponse::of), SERVICE, timeout);
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
