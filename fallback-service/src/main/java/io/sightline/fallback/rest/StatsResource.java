package io.sightline.fallback.rest;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.sightline.common.vlm.VlmClient;
import io.sightline.latest.LatestFrameCache;
import io.sightline.fallback.query.QueryStats;
import io.sightline.fallback.vlm.QueryVlm;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/** {@code GET /api/v1/stats}: totals per response mode, errors, latency percentiles, cache and VLM queue. */
@Path("/api/v1/stats")
public class StatsResource {

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StatsResponse(String since, long total, Map<String, Long> byMode, long errors,
                                Map<String, Long> errorsByCause, Map<String, Long> byQueryType, long rejected,
                                Latency latencyMs, Cache cache, Vlm vlm) {
    }

    /** Nearest-rank percentiles over the last {@code window} answered queries. */
    public record Latency(int window, long p50, long p95, long p99, long max) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Cache(int cameras, long memoryBytes) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Vlm(boolean configured, Integer inFlight, Long completed, Long rejected) {
    }

    private final QueryStats stats;
    private final LatestFrameCache cache;
    private final QueryVlm vlm;

    StatsResource(QueryStats stats, LatestFrameCache cache, QueryVlm vlm) {
        this.stats = stats;
        this.cache = cache;
        this.vlm = vlm;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public StatsResponse stats() {
        QueryStats.Snapshot s = stats.snapshot();
        VlmClient.QueueStats q = vlm.queue().orElse(null);
        return new StatsResponse(s.since().toString(), s.total(), s.byMode(), s.errors(), s.errorsByCause(), s.byQueryType(),
                s.rejected(), new Latency(s.latencyWindow(), s.p50Ms(), s.p95Ms(), s.p99Ms(), s.maxMs()),
                new Cache(cache.cameras().size(), cache.memoryBytes()),
                q == null ? new Vlm(vlm.configured(), null, null, null)
                        : new Vlm(true, q.inFlight(), q.completed(), q.rejected()));
    }
}
