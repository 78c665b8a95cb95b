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

/** vlm-service's priority queue, passed through (the console's System page shows it). */
@Path("/api/v1/queue")
@Tag(name = "models")
@SecurityRequirement(name = "apiKey")
public class QueueResource {

    private final VlmServiceClient vlm;

    QueueResource(VlmServiceClient vlm) {
        this.vlm = vlm;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "vlm-service's priority queue per model: depth, wait p50/p99, rejections per class (role viewer)")
    public Uni<Response> queue() {
        return vlm.queue().map(r -> Passthrough.json(r, VlmServiceClient.SERVICE));
    }
}
