package io.sightline.vlm.rest;

import io.sightline.vlm.catalog.VlmCatalog;
import io.sightline.vlm.service.ModelRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;
import java.util.Map;

/** {@code GET /v1/models} (OpenAI list with state, modalities and placement) and {@code GET /api/v1/models/{id}}. */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    private final ModelRegistry models;
    private final VlmCatalog catalog;

    ModelsResource(ModelRegistry models, VlmCatalog catalog) {
        this.models = models;
        this.catalog = catalog;
    }

    @GET
    @Path("v1/models")
    @Operation(summary = "Every model by catalog id with its state (stopped|downloading|starting|ready|stopping|failed), modalities and placement")
    public Map<String, Object> list() {
        List<ModelView> data = models.models().stream().map(this::view).toList();
        return Map.of("object", "list", "data", data, "default", models.defaultModelId().orElse("none"));
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
