package io.sightline.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.gateway.client.WatchClient;
import io.sightline.gateway.error.GatewayException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Watch jobs ("tell me when ..."), run by watch-service; passed through. */
@Path("/api/v1/watch")
@Tag(name = "watch")
@SecurityRequirement(name = "apiKey")
public class WatchResource {

    private final WatchClient watch;

    WatchResource(WatchClient watch) {
        this.watch = watch;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a watch job (role operator)",
            description = "{camera, condition, max_duration_minutes (default 60, max 1440), labels[] (detector classes), zones[], channels[] (notification channel names), max_vlm_calls} -> 201 with the job")
    public Uni<Response> create(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw GatewayException.badRequest("the body must be a JSON object {camera, condition, ...}");
        }
        return watch.createWatch(body).map(r -> Passthrough.json(r, WatchClient.SERVICE));
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "List watch jobs, optionally by camera and status (role viewer)")
    public Uni<Response> list(@QueryParam("camera") String camera, @QueryParam("status") String status) {
        if (camera != null) {
            Passthrough.id(camera, "camera");
        }
        if (status != null) {
            Passthrough.id(status, "status");
        }
        return watch.listWatch(camera, status).map(r -> Passthrough.json(r, WatchClient.SERVICE));
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "One watch job (role viewer)")
    public Uni<Response> get(@PathParam("id") String id) {
        return watch.getWatch(Passthrough.id(id, "watch job id")).map(r -> Passthrough.json(r, WatchClient.SERVICE));
    }

    @DELETE
    @Path("/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Cancel a watch job (role operator)")
    public Uni<Response> cancel(@PathParam("id") String id) {
        return watch.cancelWatch(Passthrough.id(id, "watch job id")).map(r -> Passthrough.json(r, WatchClient.SERVICE));
    }

    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Watch job status changes as Server-Sent Events (role viewer)")
    public Multi<OutboundSseEvent> events(@QueryParam("camera") String camera, @Context Sse sse) {
        if (camera != null) {
            Passthrough.id(camera, "camera");
        }
        return Passthrough.sse(watch.watchEvents(camera), sse);
    }

    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "One watch job's state now and at each change, ending after its final status (role viewer)")
    public Multi<OutboundSseEvent> jobEvents(@PathParam("id") String id, @Context Sse sse) {
        return Passthrough.sse(watch.watchJobEvents(Passthrough.id(id, "watch job id")), sse);
    }
}
