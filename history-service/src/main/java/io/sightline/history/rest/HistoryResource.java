package io.sightline.history.rest;

import io.sightline.history.config.HistoryConfig;
import io.sightline.history.retention.RetentionJob;
import io.sightline.history.search.HybridSearch;
import io.sightline.history.store.DatabaseUnavailableException;
import io.sightline.history.store.Filter;
import io.sightline.history.store.HistoryQueries;
import io.sightline.history.store.HistoryRecords;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The history API: search, timeline, counts, thumbnails, captions, retention. Blocking (JDBC): runs on worker threads. */
@Path("/api/v1/history")
@Tag(name = "history")
@Produces(MediaType.APPLICATION_JSON)
public class HistoryResource {

    private static final int MAX_QUERY = 500;
    private static final Set<String> BUCKETS = Set.of("hour", "day");

    private final HistoryQueries queries;
    private final HybridSearch search;
    private final RetentionJob retention;
    private final HistoryConfig config;

    HistoryResource(HistoryQueries queries, HybridSearch search, RetentionJob retention, HistoryConfig config) {
        this.queries = queries;
        this.search = search;
        this.retention = retention;
        this.config = config;
    }

    /** Request body of a retention change: days 1-3650, or null for the service default. */
    public record RetentionChange(Integer days) {
    }

    @GET
    @Path("/search")
    @Operation(summary = "Hybrid caption search (full text + MiniLM, reciprocal rank fusion)",
            description = "q uses websearch syntax (\"quoted phrase\", or, -not). since/until: ISO-8601 or epoch ms.")
    public HybridSearch.Result search(@QueryParam("q") String q, @QueryParam("camera") String camera,
                                      @QueryParam("since") String since, @QueryParam("until") String until,
                                      @QueryParam("label") String label, @QueryParam("limit") String limit,
                                      @Parameter(description = "time zone of the times in the answer (default UTC)") @QueryParam("zone") String zone) {
        if (q == null || q.isBlank()) {
            throw new InvalidRequestException("q is required: what to look for, e.g. q=delivery van");
        }
        if (q.length() > MAX_QUERY) {
            throw new InvalidRequestException("q is longer than " + MAX_QUERY + " characters");
        }
        Filter filter = filter(camera, since, until, label);
        return search.search(q.trim(), filter, Params.limit(limit, config.search().defaultLimit(), config.search().maxLimit()),
                zone(zone, filter));
    }

    @GET
    @Path("/events")
    @Operation(summary = "Timeline of events (episodes), newest first, paged by cursor")
    public HistoryRecords.EventPage events(@QueryParam("camera") String camera, @QueryParam("since") String since,
                                           @QueryParam("until") String until, @QueryParam("label") String label,
                                           @QueryParam("limit") String limit, @QueryParam("cursor") String cursor,
                                           @QueryParam("zone") String zone) {
        Filter filter = filter(camera, since, until, label);
        return queries.events(filter, Optional.ofNullable(cursor).filter(c -> !c.isBlank()), Params.limit(limit, 50, 500),
                zone(zone, filter));
    }

    @GET
    @Path("/watch-jobs")
    @Operation(summary = "Watch jobs (from watch.jobs): condition, transitions with times, iterations, outcome; newest first, paged by cursor",
            description = "A job is listed while its watching overlaps since/until; removed = watch-service has forgotten it (kept here).")
    public HistoryRecords.WatchJobPage watchJobs(@QueryParam("camera") String camera, @QueryParam("since") String since,
                                                 @QueryParam("until") String until, @QueryParam("limit") String limit,
                                                 @QueryParam("cursor") String cursor, @QueryParam("zone") String zone) {
        Filter filter = filter(camera, since, until, null);
        return queries.watchJobs(filter, Optional.ofNullable(cursor).filter(c -> !c.isBlank()), Params.limit(limit, 50, 500),
                zone(zone, filter));
    }

    @GET
    @Path("/counts")
    @Operation(summary = "How many events of a label started per hour or day (events, not frames)")
    public HistoryRecords.Counts counts(@QueryParam("label") String label, @QueryParam("camera") String camera,
                                        @QueryParam("since") String since, @QueryParam("until") String until,
                                        @QueryParam("bucket") String bucket, @QueryParam("zone") String zone) {
        Optional<String> l = Params.label(label);
        if (l.isEmpty()) {
            throw new InvalidRequestException("label is required, e.g. label=car");
        }
        String b = bucket == null || bucket.isBlank() ? "hour" : bucket.trim().toLowerCase();
        if (!BUCKETS.contains(b)) {
            throw new InvalidRequestException("bucket must be hour or day, was '" + bucket + "'");
        }
        Filter filter = filter(camera, since, until, null);
        return queries.counts(l.get(), filter, b, zone(zone, filter));
    }

    @GET
    @Path("/captions")
    @Operation(summary = "Captions newest first (what the gateway's GET /api/v1/captions serves)")
    public HistoryRecords.CaptionPage captions(@QueryParam("camera") String camera, @QueryParam("since") String since,
                                               @QueryParam("until") String until, @QueryParam("limit") String limit) {
        return queries.captions(filter(camera, since, until, null), Params.limit(limit, 50, 500));
    }

    @GET
    @Path("/frames/{frame_id}/thumbnail.jpg")
    @Produces({"image/jpeg", MediaType.APPLICATION_JSON})
    @Operation(summary = "The stored 320 px evidence thumbnail of a frame")
    public Response thumbnail(@PathParam("frame_id") String frameId) {
        byte[] jpeg = queries.thumbnail(Params.frameId(frameId))
                .orElseThrow(() -> new NotFoundException("no thumbnail stored for frame " + frameId));
        return Response.ok(jpeg, "image/jpeg").header("Cache-Control", "private, max-age=86400").build();
    }

    @GET
    @Path("/cameras")
    @Operation(summary = "Cameras with history and their retention")
    public List<HistoryRecords.CameraRetention> cameras() {
        return queries.cameras();
    }

    @GET
    @Path("/cameras/{camera}")
    @Operation(summary = "A camera with history: retention and its current time zone (from capture-service's frames)")
    public HistoryRecords.CameraRetention camera(@PathParam("camera") String camera) {
        return queries.camera(Params.camera(camera).orElseThrow(() -> new InvalidRequestException("camera is required")));
    }

    @PUT
    @Path("/cameras/{camera}/retention")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Change a camera's retention (days 1-3650; null = the default)")
    public HistoryRecords.CameraRetention setRetention(@PathParam("camera") String camera, RetentionChange change) {
        String cam = Params.camera(camera).orElseThrow(() -> new InvalidRequestException("camera is required"));
        if (change == null) {
            throw new InvalidRequestException("body must be JSON {\"days\": 1-3650 or null}");
        }
        if (change.days() != null && (change.days() < 1 || change.days() > 3650)) {
            throw new InvalidRequestException("days must be from 1 to 3650 (or null for the default of "
                    + config.retention().defaultDays() + "), was " + change.days());
        }
        return queries.setRetention(cam, Optional.ofNullable(change.days()));
    }

    @POST
    @Path("/retention/run")
    @Operation(summary = "Run the retention job now and report what it deleted")
    public RetentionJob.Report runRetention() {
        try {
            return retention.run();
        } catch (SQLException e) {
            throw new DatabaseUnavailableException(e);
        }
    }

    /** The zone asked for; without one, the camera's own zone when the query names a camera that has one; else UTC. */
    private java.time.ZoneId zone(String zone, Filter filter) {
        if ((zone == null || zone.isBlank()) && filter.camera().isPresent()) {
            String own = queries.camera(filter.camera().get()).timeZone();
            if (own != null) {
                return Params.zone(own);
            }
        }
        return Params.zone(zone);
    }

    private Filter filter(String camera, String since, String until, String label) {
        Optional<String> cam = Params.camera(camera);
        Optional<Long> from = Params.time(since, "since");
        Optional<Long> to = Params.time(until, "until");
        Params.range(from, to);
        cam.ifPresent(queries::requireCamera);
        return new Filter(cam, from, to, Params.label(label));
    }

}
