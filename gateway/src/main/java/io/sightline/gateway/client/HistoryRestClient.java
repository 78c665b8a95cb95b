package io.sightline.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterProvider;
import org.jboss.resteasy.reactive.client.SseEvent;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** history-service's internal API: search, timeline, watch jobs, counts, captions, thumbnails, retention. */
@RegisterRestClient(configKey = "history")
@RegisterProvider(InternalTokenFilter.class)
interface HistoryRestClient {

    @GET
    @Path("/api/v1/history/search")
    Uni<Response> search(@QueryParam("q") String q, @QueryParam("camera") String camera, @QueryParam("since") String since,
                         @QueryParam("until") String until, @QueryParam("label") String label, @QueryParam("limit") String limit,
                         @QueryParam("zone") String zone);

    @GET
    @Path("/api/v1/history/events")
    Uni<Response> events(@QueryParam("camera") String camera, @QueryParam("since") String since, @QueryParam("until") String until,
                         @QueryParam("label") String label, @QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
                         @QueryParam("zone") String zone);

    @GET
    @Path("/api/v1/history/watch-jobs")
    Uni<Response> watchJobs(@QueryParam("camera") String camera, @QueryParam("since") String since, @QueryParam("until") String until,
                            @QueryParam("limit") String limit, @QueryParam("cursor") String cursor, @QueryParam("zone") String zone);

    @GET
    @Path("/api/v1/history/counts")
    Uni<Response> counts(@QueryParam("label") String label, @QueryParam("camera") String camera, @QueryParam("since") String since,
                         @QueryParam("until") String until, @QueryParam("bucket") String bucket, @QueryParam("zone") String zone);

    @GET
    @Path("/api/v1/history/captions")
    Uni<Response> captions(@QueryParam("camera") String camera, @QueryParam("since") Long since, @QueryParam("until") Long until,
                           @QueryParam("limit") int limit);

    @GET
    @Path("/api/v1/history/captions/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    Multi<SseEvent<String>> captionStream(@QueryParam("camera") String camera, @HeaderParam("Last-Event-ID") String lastEventId);

    @GET
    @Path("/api/v1/history/frames/{frameId}/thumbnail.jpg")
    @Produces({"image/jpeg", MediaType.APPLICATION_JSON})
    Uni<Response> thumbnail(@PathParam("frameId") String frameId);

    @GET
    @Path("/api/v1/history/cameras")
    Uni<Response> cameras();

    @PUT
    @Path("/api/v1/history/cameras/{camera}/retention")
    @Consumes(MediaType.APPLICATION_JSON)
    Uni<Response> setRetention(@PathParam("camera") String camera, JsonNode body);

    @POST
    @Path("/api/v1/history/retention/run")
    Uni<Response> runRetention();

    @GET
    @Path("/q/health/ready")
    Uni<Response> ready();
}
