package io.sightline.vlm.rest;

import io.sightline.vlm.catalog.VlmCatalog;
import io.sightline.vlm.config.VlmConfig;
import io.smallrye.mutiny.Multi;
import org.jboss.resteasy.reactive.RestStreamElementType;
import io.sightline.vlm.service.ModelRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/models} (OpenAI list with state, modalities and placement) and {@code GET /api/v1/models/{id}}. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    private final ModelRegistry models;
    private final VlmCatalog catalog;

    private final Duration interval;

    ModelsResource(ModelRegistry models, VlmCatalog catalog, VlmConfig config) {
        this.models = models;
        this.catalog = catalog;
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

    private ModelView view(io.sightline.vlm.model.ServedModel m) {
        return ModelView.of(m, models.defaultModelId().filter(m.id()::equals).isPresent(), catalog.model(m.id()).orElse(null));
    }
}
