package io.sightline.gateway.rest;

import io.sightline.gateway.client.VlmServiceClient;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** vlm-service's model states and queue, passed through for the console's System page. */
@Path("/api/v1")
@Tag(name = "backends")
@SecurityRequirement(name = "apiKey")
public class VlmServiceResource {

    private final VlmServiceClient vlm;

    VlmServiceResource(VlmServiceClient vlm) {
        this.vlm = vlm;
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "vlm-service's models: state (stopped|downloading|starting|ready|stopping|failed), download progress, slots (role viewer)")
    public Uni<Response> models() {
        return vlm.models().map(r -> Passthrough.json(r, VlmServiceClient.SERVICE));
    }

    @GET
    @Path("/queue")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "vlm-service's priority queue per model: depth, wait p50/p99, rejections per class (role viewer)")
    public Uni<Response> queue() {
        return vlm.queue().map(r -> Passthrough.json(r, VlmServiceClient.SERVICE));
    }
}
