package io.sightline.gateway.openai;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;

/** {@code GET /v1/models}, OpenAI's shape. */
@Path("/v1/models")
@Tag(name = "openai")
@SecurityRequirement(name = "apiKey")
public class ModelsResource {

    /** One model as OpenAI lists it. */
    public record Model(String id, String object, long created, String owned_by) {
    }

    public record ModelList(String object, List<Model> data) {
    }

    private final ChatCompletions completions;

    ModelsResource(ChatCompletions completions) {
        this.completions = completions;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Models the OpenAI-compatible endpoint serves (role viewer)")
    public Uni<ModelList> models() {
        long now = Instant.now().getEpochSecond();
        return completions.models().map(ids -> {
            return new ModelList("list", ids.stream().map(id -> new Model(id, "model", now, "sightline")).toList());
        });
    }
}
