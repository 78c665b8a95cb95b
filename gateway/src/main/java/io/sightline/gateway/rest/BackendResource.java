package io.sightline.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sightline.gateway.captions.BackendLifecycle;
import io.sightline.gateway.client.CaptionClient;
import io.smallrye.mutiny.Uni;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.Map;

/** Vision backends (caption-service's tiers) and model-server lifecycle (vlm.lifecycle). */
@Path("/api/v1/backends")
@Tag(name = "backends")
@SecurityRequirement(name = "apiKey")
public class BackendResource {

    private final CaptionClient caption;
    private final BackendLifecycle lifecycle;
    private final ObjectMapper json;

    BackendResource(CaptionClient caption, BackendLifecycle lifecycle, ObjectMapper json) {
        this.caption = caption;
        this.lifecycle = lifecycle;
        this.json = json;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "caption-service's backend tiers plus the latest lifecycle state per model server (role viewer)",
            description = "{backends: <caption-service's /api/v1/backends>, lifecycle: {<backend>: {state, last_event}}}")
    public Uni<Response> backends() {
        return caption.backends().map(r -> {
            if (r.status() != 200 || !r.isJson()) {
                return Passthrough.json(r, CaptionClient.SERVICE);
            }
            Response passed = Passthrough.json(r, CaptionClient.SERVICE);
            if (!(passed.getEntity() instanceof JsonNode)) {
                return passed;
            }
            ObjectNode merged = json.createObjectNode();
            merged.set("backends", (JsonNode) passed.getEntity());
            merged.set("lifecycle", json.valueToTree(lifecycleView()));
            return Response.ok(merged, MediaType.APPLICATION_JSON_TYPE).build();
        });
    }

    @GET
    @Path("/lifecycle")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The latest lifecycle state per model server, from vlm.lifecycle (role viewer)")
    @NonBlocking
    public Map<String, Map<String, Object>> lifecycle() {
        return lifecycleView();
    }

    private Map<String, Map<String, Object>> lifecycleView() {
        Map<String, Map<String, Object>> out = new java.util.TreeMap<>();
        lifecycle.states().forEach((backend, state) -> out.put(backend, Map.of("state", state.state(), "last_event", state.lastEvent())));
        return out;
    }
}
