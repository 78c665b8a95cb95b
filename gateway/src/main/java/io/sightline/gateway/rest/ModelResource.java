package io.sightline.gateway.rest;

import io.sightline.gateway.client.VlmServiceClient;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * vlm-service's models (state, download progress) passed through, for API callers and the console's System page;
 * admins start and stop hosted models (the role is checked by the guard, {@code AccessPolicy}).
 */
@Path("/api/v1/models")
@Tag(name = "models")
@SecurityRequirement(name = "apiKey")
public class ModelResource {

    private final VlmServiceClient vlm;

    ModelResource(VlmServiceClient vlm) {
        this.vlm = vlm;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "vlm-service's models: state (stopped|downloading|starting|ready|stopping|failed), download progress, slots (role viewer)")
    public Uni<Response> models() {
        return vlm.models().map(r -> Passthrough.json(r, VlmServiceClient.SERVICE));
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One vlm-service model: state, vision, slots, download progress (bytes, total, rate, ETA) (role viewer)")
    public Uni<Response> model(@PathParam("id") String id) {
        return vlm.model(Passthrough.id(id, "model id")).map(r -> Passthrough.json(r, VlmServiceClient.SERVICE));
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "One vlm-service model at each change of state or download progress, as Server-Sent Events (role viewer)")
    public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
        return Passthrough.sse(vlm.events(Passthrough.id(id, "model id")), sse);
    }

    @POST
    @Path("/{id}/start")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a hosted vlm-service model now (downloading it first if needed): 202 at once with its state, 200 if ready; 404 unknown, 409 remote (role admin)")
    public Uni<Response> start(@PathParam("id") String id) {
        return vlm.start(Passthrough.id(id, "model id")).map(r -> Passthrough.json(r, VlmServiceClient.SERVICE));
    }

    @POST
    @Path("/{id}/stop")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Stop a hosted vlm-service model as its idle stop would: 202 at once with its state, 200 if already stopped; 404 unknown, 409 remote (role admin)")
    public Uni<Response> stop(@PathParam("id") String id) {
        return vlm.stop(Passthrough.id(id, "model id")).map(r -> Passthrough.json(r, VlmServiceClient.SERVICE));
    }
}
