package io.sightline.gateway.rest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sightline.gateway.client.HistoryClient;
import io.sightline.gateway.error.ApiError;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What the cameras saw in the past, from history-service: reads need role viewer, retention changes
 * admin (AccessPolicy's defaults for unlisted reads and writes). Parameters are checked by
 * history-service and its 400/404 answers pass through.
 */
@Path("/api/v1/history")
@Tag(name = "history")
@SecurityRequirement(name = "apiKey")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {

    private final HistoryClient history;

    HistoryResource(HistoryClient history) {
        this.history = history;
    }

    @GET
    @Path("/search")
    @Operation(summary = "Search what was seen: full text + semantic, fused by reciprocal rank (role viewer)",
            description = "q in websearch syntax; camera, since/until (ISO-8601 or epoch ms), label, limit (1-100), zone.")
    public Uni<Response> search(@QueryParam("q") String q, @QueryParam("camera") String camera, @QueryParam("since") String since,
                                @QueryParam("until") String until, @QueryParam("label") String label,
                                @QueryParam("limit") String limit, @QueryParam("zone") String zone) {
        return history.search(new HistoryClient.Query(q, camera, since, until, label, limit, null, null, zone))
                .map(r -> Passthrough.json(r, HistoryClient.SERVICE));
    }

    @GET
    @Path("/events")
    @Operation(summary = "Timeline of events (episodes), newest first, paged by cursor (role viewer)")
    public Uni<Response> events(@QueryParam("camera") String camera, @QueryParam("since") String since,
                                @QueryParam("until") String until, @QueryParam("label") String label,
                                @QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
                                @QueryParam("zone") String zone) {
        return history.events(new HistoryClient.Query(null, camera, since, until, label, limit, cursor, null, zone))
                .map(r -> Passthrough.json(r, HistoryClient.SERVICE));
    }

    @GET
    @Path("/watch-jobs")
    @Operation(summary = "Watch jobs history-service remembers: condition, transitions with times, iterations, outcome; "
            + "newest first, paged by cursor (role viewer)")
    public Uni<Response> watchJobs(@QueryParam("camera") String camera, @QueryParam("since") String since,
                                   @QueryParam("until") String until, @QueryParam("limit") String limit,
                                   @QueryParam("cursor") String cursor, @QueryParam("zone") String zone) {
        return history.watchJobs(new HistoryClient.Query(null, camera, since, until, null, limit, cursor, null, zone))
                .map(r -> Passthrough.json(r, HistoryClient.SERVICE));
    }

    @GET
    @Path("/counts")
    @Operation(summary = "How many events of a label per hour or day — events, not frames (role viewer)")
    public Uni<Response> counts(@QueryParam("label") String label, @QueryParam("camera") String camera,
                                @QueryParam("since") String since, @QueryParam("until") String until,
                                @QueryParam("bucket") String bucket, @QueryParam("zone") String zone) {
        return history.counts(new HistoryClient.Query(null, camera, since, until, label, null, null, bucket, zone))
                .map(r -> Passthrough.json(r, HistoryClient.SERVICE));
    }

    @GET
    @Path("/frames/{frameId}/thumbnail.jpg")
    @Produces({"image/jpeg", MediaType.APPLICATION_JSON})
    @Operation(summary = "The stored evidence thumbnail of a frame (role viewer)")
    public Uni<Response> thumbnail(@PathParam("frameId") String frameId) {
        return history.thumbnail(Passthrough.id(frameId, "frame id")).map(r -> {
            if (r.status() == 200 && r.contentType() != null && r.contentType().startsWith("image/")) {
                return Response.ok(r.body(), r.contentType()).header("Cache-Control", "private, max-age=86400").build();
            }
            if (r.status() == 200) {
                return Passthrough.error(new ApiError("bad_gateway", HistoryClient.SERVICE + " answered " + r.contentType()
                        + " where an image was expected", 502));
            }
            return Passthrough.json(r, HistoryClient.SERVICE);
        });
    }

    @GET
    @Path("/cameras")
    @Operation(summary = "Cameras with history and their retention (role viewer)")
    public Uni<Response> cameras() {
        return history.cameras().map(r -> Passthrough.json(r, HistoryClient.SERVICE));
    }

    @PUT
    @Path("/cameras/{camera}/retention")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a camera's retention: {\"days\": 1-3650 or null for the default} (role admin)")
    public Uni<Response> setRetention(@PathParam("camera") String camera, JsonNode body) {
        return history.setRetention(Passthrough.id(camera, "camera id"), body).map(r -> Passthrough.json(r, HistoryClient.SERVICE));
    }

    @POST
    @Path("/retention/run")
    @Operation(summary = "Run the retention job now and report what it deleted (role admin)")
    public Uni<Response> runRetention() {
        return history.runRetention().map(r -> Passthrough.json(r, HistoryClient.SERVICE));
    }
}
