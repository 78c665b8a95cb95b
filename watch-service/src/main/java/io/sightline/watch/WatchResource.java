package io.sightline.watch;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.BadRequestException;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.net.URI;
import java.util.List;
import java.util.Map;

/** Watch jobs: "tell me when ..." monitors of a camera (the gateway proxies these for the operator role). */
@Path("/api/v1/watch")
@Produces(MediaType.APPLICATION_JSON)
public class WatchResource {

    private final WatchJobs jobs;

    WatchResource(WatchJobs jobs) {
        this.jobs = jobs;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Response> create(@Valid @NotNull(message = "a JSON body is required") CreateWatchRequest request) {
        return jobs.create(request).map(job -> Response.created(URI.create("/api/v1/watch/" + job.id())).entity(job).build());
    }

    @GET
    public List<WatchJob> list(@QueryParam("camera") String camera, @QueryParam("status") String status) {
        return jobs.list(camera, parseStatus(status));
    }

    /** Status changes of all jobs (optionally of one camera) as server-sent events, from now on. */
    @GET
    @Path("/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<WatchJob> events(@QueryParam("camera") String camera) {
        return jobs.changes(camera);
    }

    @GET
    @Path("/{id}")
    public WatchJob get(@PathParam("id") String id) {
        return jobs.get(id);
    }

    /** The job's state now and at each change, ending after its final status. */
    @GET
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<WatchJob> jobEvents(@PathParam("id") String id) {
        return jobs.follow(id);
    }

    @DELETE
    @Path("/{id}")
    public Uni<WatchJob> cancel(@PathParam("id") String id) {
        return jobs.cancel(id);
    }

    @ServerExceptionMapper
    Response rejected(WatchRejected e) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("error", e.getMessage());
        body.put("status", e.status());
        body.putAll(e.details());
        return Response.status(e.status()).type(MediaType.APPLICATION_JSON).entity(body).build();
    }

    private static WatchStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return WatchStatus.fromWire(status);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("status must be one of running, success, failed, cancelled");
        }
    }
}
