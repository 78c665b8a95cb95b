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
 * history-service as the gateway uses it: bounded time, a circuit breaker, one retry for reads.
 * Non-2xx answers are returned, not thrown, so they pass through (history-service's 400/404 messages).
 */
@ApplicationScoped
public class HistoryClient {

    public static final String SERVICE = "history-service";

    private final HistoryRestClient rest;
    private final Duration timeout;

    HistoryClient(@RestClient HistoryRestClient rest, GatewayConfig config) {
        this.rest = rest;
        this.timeout = config.downstream().timeout();
    }

    /** The read parameters of search, events and counts, passed through as the caller gave them. */
    public record Query(String q, String camera, String since, String until, String label, String limit, String cursor,
                        String bucket, String zone) {
    }

    @WithSpan("history.search")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> search(Query q) {
        return guard(rest.search(q.q(), q.camera(), q.since(), q.until(), q.label(), q.limit(), q.zone()));
    }

    @WithSpan("history.events")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> events(Query q) {
        return guard(rest.events(q.camera(), q.since(), q.until(), q.label(), q.limit(), q.cursor(), q.zone()));
    }

    @WithSpan("history.watch-jobs")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> watchJobs(Query q) {
        return guard(rest.watchJobs(q.camera(), q.since(), q.until(), q.limit(), q.cursor(), q.zone()));
    }

    @WithSpan("history.counts")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> counts(Query q) {
        return guard(rest.counts(q.label(), q.camera(), q.since(), q.until(), q.bucket(), q.zone()));
    }

    /**
     * Captions as history-service stores them (SSE), after {@code lastEventId} when a client resumes. No
     * breaker or retry: a stream is one long call, and the client reconnects with its Last-Event-ID.
     */
    public Multi<SseEvent<String>> captionStream(String camera, String lastEventId) {
        return rest.captionStream(camera, lastEventId)
                .onFailure().transform(f -> Downstreams.translate(f, SERVICE, timeout));
    }

    @WithSpan("history.captions")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> captions(String camera, Long since, Long until, int limit) {
        return guard(rest.captions(camera, since, until, limit));
    }

    @WithSpan("history.thumbnail")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> thumbnail(String frameId) {
        return guard(rest.thumbnail(frameId));
    }

    @WithSpan("history.cameras")
    @Retry(maxRetries = 1, delay = 100, abortOn = CircuitBreakerOpenException.class)
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> cameras() {
        return guard(rest.cameras());
    }

    @WithSpan("history.retention.set")
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> setRetention(String camera, JsonNode body) {
        return guard(rest.setRetention(camera, body));
    }

    @WithSpan("history.retention.run")
    @CircuitBreaker(requestVolumeThreshold = 8, failureRatio = 0.75, delay = 5000, successThreshold = 1)
    public Uni<DownstreamResponse> runRetention() {
        return Downstreams.guard(rest.runRetention().map(DownstreamResponse::of), SERVICE, timeout.multipliedBy(10));
    }

    /** Readiness probe: true when history-service says it is ready. No breaker: health must see the truth. */
    public Uni<Boolean> ready(Duration within) {
        return rest.ready().map(r -> {
            try {
                return r.getStatus() == 200;
            } finally {
                r.close();
            }
        }).ifNoItem().after(within).fail();
    }

    private Uni<DownstreamResponse> guard(Uni<jakarta.ws.rs.core.Response> call) {
        return Downstreams.guard(call.map(DownstreamResponse::of), SERVICE, timeout);
    }
}
