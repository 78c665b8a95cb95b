package io.sightline.vlm.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.vlm.model.ServedModel;
import io.sightline.vlm.service.ModelRegistry;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.Optional;

/**
 * {@code GET /api/v1/backends}: the default model in one line, with the single reason when there is none
 * or it cannot run (for {@code ./sightline status} and the gateway's backends view).
 */
@Path("/api/v1/backends")
@Produces(MediaType.APPLICATION_JSON)
public class BackendsResource {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record DefaultModel(String defaultModel, String state, String placement, String reason) {
    }

    private final ModelRegistry models;

    BackendsResource(ModelRegistry models) {
        this.models = models;
    }

    @GET
    @Operation(summary = "The default model, its state, and why it cannot serve when it cannot")
    public DefaultModel backends() {
        Optional<ServedModel> model = models.model(ModelRegistry.DEFAULT);
        if (model.isEmpty()) {
            return new DefaultModel(null, "none", null, models.defaultProblem().orElse("no default model"));
        }
        ServedModel m = model.get();
        String reason = m.unavailableReason().or(m::lastFailure).orElse(null);
        return new DefaultModel(m.id(), m.unavailableReason().isPresent() ? "unavailable" : m.state(), m.placement(), reason);
    }
}
