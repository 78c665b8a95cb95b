package io.sightline.gateway.client;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.sightline.gateway.config.GatewayConfig;
import io.sightline.gateway.error.GatewayException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.resteasy.reactive.client.SseEvent;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * vlm-service's model and queue API as the gateway passes it through (models, one model, its SSE progress,
 * start/stop of a hosted model, the queue; the console's System page uses them). Its root
 * is the one VLM setting, {@code sightline.gateway.vlm.base-url} without {@code /v1}; the internal token
 * goes on every call.
 */
@ApplicationScoped
public class VlmServiceClient {

    public static final String SERVICE = "vlm-service";

    private final Optional<VlmServiceRestClient> rest;
    private final Duration timeout;

    VlmServiceClient(GatewayConfig config, InternalTokenFilter token) {
        this.timeout = config.downstream().timeout();
        this.rest = config.vlm().baseUrl().map(base -> QuarkusRestClientBuilder.newBuilder()
                .baseUri(root(base))
                .register(token)
                .connectTimeout(1, TimeUnit.SECONDS)
                .build(VlmServiceRestClient.class));
    }

    static URI root(URI base) {
        return URI.create(base.toString().replaceAll("/+$", "").replaceAll("/v1$", ""));
    }

    /** Every model with its state (stopped|downloading|starting|ready|stopping|failed), download progress and slots. */
    public Uni<DownstreamResponse> models() {
        return Downstreams.guard(client().models().map(DownstreamResponse::of), SERVICE, timeout);
    }

    /** The priority queue per model: depth, wait p50/p99, rejections per class. */
    public Uni<DownstreamResponse> queue() {
        return Downstreams.guard(client().queue().map(DownstreamResponse::of), SERVICE, timeout);
    }

    public Uni<DownstreamResponse> model(String id) {
        return Downstreams.guard(client().model(id).map(DownstreamResponse::of), SERVICE, timeout);
    }

    /** Starts a hosted model (downloading it first if needed); vlm-service answers at once (202 with its state). */
    public Uni<DownstreamResponse> start(String id) {
        return Downstreams.guard(client().start(id).map(DownstreamResponse::of), SERVICE, timeout);
    }

    /** Stops a hosted model as its idle stop would; vlm-service answers at once (202, or 200 when already stopped). */
    public Uni<DownstreamResponse> stop(String id) {
        return Downstreams.guard(client().stop(id).map(DownstreamResponse::of), SERVICE, timeout);
    }

    /** The model's state and download progress at each change, as vlm-service sends them. */
    public Multi<SseEvent<String>> events(String id) {
        return client().events(id).onFailure().transform(f -> Downstreams.translate(f, SERVICE, timeout));
    }

    private VlmServiceRestClient client() {
        return rest.orElseThrow(() -> new GatewayException(503, "vlm_not_configured",
                "vlm-service is not configured (set SIGHTLINE_VLM_SERVICE_URL)"));
    }
}
