package io.sightline.vlm.rest;

import io.sightline.vlm.catalog.VlmCatalog;
import io.sightline.vlm.config.VlmConfig;
import io.smallrye.mutiny.Multi;
import org.jboss.resteasy.reactive.RestStreamElementType;
import io.sightline.vlm.service.ModelRegistry;
import io.sightline.vlm.service.HostedModelControl;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/models} (OpenAI list with state, modalities and placement), {@code GET /api/v1/models/{id}} (and its
 * SSE stream), and {@code POST /api/v1/models/{id}/start|stop} for hosted models.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    private final ModelRegistry models;
    private final VlmCatalog catalog;
    private final HostedModelControl control;

    private final Duration interval;

    ModelsResource(ModelRegistry models, VlmCatalog catalog, VlmConfig config, HostedModelControl control) {
        this.models = models;
        this.catalog = catalog;
        this.control = control;
        this.interval = config.download().progressInterval().compareTo(Duration.ofMillis(100)) < 0
                ? Duration.ofMillis(100) : config.download().progressInterval();
    }

    @GET
    @Path("v1/models")
    @Operation(summary = "Every model by catalog id with its state (stopped|downloading|starting|ready|stopping|failed), modalities and placement")
    public Map<String, Object> list() {
        List<ModelView> data = models.models().stream().map(this::view).toList();
        return Map.of("object", "list", "data", data, "default", models.defaultModelId().orElse("none"));
    }

    /**
     * The model now and at every change of state, in-flight count or download progress, as Server-Sent
     * Events (JSON of {@code GET /api/v1/models/{id}}); checked every {@code download.progress-interval}.
     * Open until the client goes.
     */
    @GET
    @Path("api/v1/models/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "One model's state and download progress as Server-Sent Events, at each change")
    public Multi<ModelView> events(@PathParam("id") String id) {
        one(id);
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(interval)
                .onOverflow().drop()
                .map(tick -> models.model(id).map(this::view).orElseThrow())
                .skip().repetitions();
    }

    @GET
    @Path("api/v1/models/{id}")
    @Operation(summary = "One model: state, vision, slots, download progress (bytes, total, rate, ETA), catalog entry (files, needs, flags)")
    public ModelView one(@PathParam("id") String id) {
        return models.model(id).map(this::view).orElseThrow(() -> new NotFoundException("model '" + id + "' does not exist; known: "
                + models.models().stream().map(m -> m.id()).toList()));
    }

    /**
     * Starts a hosted model as a first request would (downloading its files first if needed; an in-progress start
     * is shared) and answers at once: 202 with its state ({@code downloading}/{@code starting}), 200 when it is
     * ready already; follow it on {@code /api/v1/models/{id}/events}. 503 + Retry-After when it cannot start now.
     */
    @POST
    @Path("api/v1/models/{id}/start")
    @Operation(summary = "Start a hosted model now (as a first request would); 202 at once with its state, 200 if ready, 404 unknown, 409 remote, 503 cannot start")
    public Response start(@PathParam("id") String id) {
        HostedModelControl.Outcome outcome = control.start(id);
        return Response.status(outcome.begun() ? 202 : 200).entity(view(outcome.model())).build();
    }

    /**
     * Stops a hosted model the way the idle stop does ({@code vlm_caption.stop}, then {@code stopped} once the
     * process is gone) and answers at once: 202 with its state ({@code stopping}), 200 when it is stopped already.
     * Requests in flight get their answer or a 503 with Retry-After.
     */
    @POST
    @Path("api/v1/models/{id}/stop")
    @Operation(summary = "Stop a hosted model now (as the idle stop does); 202 at once with its state, 200 if already stopped, 404 unknown, 409 remote")
    public Response stop(@PathParam("id") String id) {
        HostedModelControl.Outcome outcome = control.stop(id);
        return Response.status(outcome.begun() ? 202 : 200).entity(view(outcome.model())).build();
    }

    private ModelView view(io.sightline.vlm.model.ServedModel m) {
        return ModelView.of(m, models.defaultModelId().filter(m.id()::equals).isPresent(), catalog.model(m.id()).orElse(null));
    }
}
