package io.sightline.history.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.sightline.history.config.HistoryConfig;
import io.sightline.history.store.DatabaseUnavailableException;
import io.sightline.history.store.Filter;
import io.sightline.history.store.HistoryQueries;
import io.sightline.history.store.SqlFilters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;

/**
 * Hybrid caption search: PostgreSQL full text ({@code websearch_to_tsquery}, ranked by {@code ts_rank})
 * and MiniLM semantic similarity, fused by reciprocal rank ({@code sum 1/(k + rank)}). The unit ranked
 * is a distinct caption text; each result is its newest occurrence inside the filter, with the
 * episodes that frame belongs to. Semantic similarity is exact cosine over the texts left after the
 * camera/time/label filters (newest first, at most {@code semantic-candidates}); the response says so.
 * pgvector is detected at startup and reported, but not used yet (see README).
 */
@ApplicationScoped
public class HybridSearch {

    public static final String EXACT = "exact-cosine";

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Hit(UUID frameId, String camera, long capturedAt, String time, String text, double score,
                      Integer fulltextRank, Integer semanticRank, double similarity, long occurrences, String thumbnailUrl,
                      JsonNode events) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Result(String query, String fulltext, String semantic, boolean pgvectorAvailable, int semanticCandidates,
                         int fulltextMatches, List<Hit> results) {
    }

    private final AgroalDataSource dataSource;
    private final CaptionEmbedder embedder;
    private final ObjectMapper json;
    private final HistoryConfig.Search config;
    private final Timer timer;
    private final TextVectors vectors;
    private volatile boolean pgvector;

    HybridSearch(AgroalDataSource dataSource, CaptionEmbedder embedder, ObjectMapper json, HistoryConfig config, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.embedder = embedder;
        this.json = json;
        this.config = config.search();
        this.timer = Timer.builder("sightline.history.search").description("One hybrid search").register(registry);
        this.vectors = new TextVectors(config.search().vectorCacheSize(), registry);
    }

    void detectPgvector(@Observes StartupEvent event) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            pgvector = rs.getLong(1) > 0;
            Log.infof("semantic search: %s (pgvector %s on this server)", EXACT, pgvector ? "available" : "not installed");
        } catch (SQLException e) {
            Log.warnf("could not check for pgvector: %s", e.getMessage());
        }
    }

    public Result search(String query, Filter filter, int limit, ZoneId zone) {
        return timer.record(() -> run(query, filter, limit, zone));
    }

    private Result run(String query, Filter filter, int limit, ZoneId zone) {
        float[] q = embedder.embed(query);
        try (Connection c = dataSource.getConnection()) {
            List<Long> fulltext = fulltext(c, query, filter);
            Map<Long, Double> similarity = new HashMap<>();
            List<Long> semantic = semantic(c, q, filter, similarity);
            Map<Long, Double> fused = new HashMap<>();
            Map<Long, Integer> ftRank = new HashMap<>();
            Map<Long, Integer> semRank = new HashMap<>();
            for (int i = 0; i < fulltext.size(); i++) {
                fused.merge(fulltext.get(i), 1.0 / (config.rrfK() + i + 1), Double::sum);
                ftRank.put(fulltext.get(i), i + 1);
            }
            for (int i = 0; i < semantic.size(); i++) {
                fused.merge(semantic.get(i), 1.0 / (config.rrfK() + i + 1), Double::sum);
                semRank.put(semantic.get(i), i + 1);
            }
            List<Long> top = fused.entrySet().stream()
                    .sorted(Map.Entry.<Long, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(limit).map(Map.Entry::getKey).toList();
            Map<Long, Hit> hits = occurrences(c, top, filter, fused, ftRank, semRank, similarity, zone);
            List<Hit> ordered = top.stream().map(hits::get).filter(h -> h != null).toList();
            return new Result(query, "websearch_to_tsquery('english')", EXACT, pgvector, similarity.size(), fulltext.size(), ordered);
        } catch (SQLException e) {
            throw new DatabaseUnavailableException(e);
        }
    }

    private List<Long> fulltext(Connection c, String query, Filter filter) throws SQLException {
        List<Object> params = new ArrayList<>();
        params.add(query);
        String shown;
        if (filter.cameraOnly()) {
            // camera_texts: one primary-key probe per matching text instead of scanning the camera's caption rows
            shown = filter.camera().isEmpty() ? "TRUE" : "EXISTS (SELECT 1 FROM camera_texts ct WHERE ct.text_id = t.id AND ct.camera = ?)";
            filter.camera().ifPresent(params::add);
        } else {
            shown = "EXISTS (SELECT 1 FROM captions c WHERE c.text_id = t.id AND " + SqlFilters.onCaptions(filter, "c", params) + ")";
        }
        params.add(config.fulltextCandidates());
        String sql = """
                SELECT t.id FROM caption_texts t, websearch_to_tsquery('english', ?) q
                WHERE t.tsv @@ q AND %s
                ORDER BY ts_rank(t.tsv, q) DESC, t.id DESC LIMIT ?""".formatted(shown);
        List<Long> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            SqlFilters.bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        return ids;
    }

    private List<Long> semantic(Connection c, float[] q, Filter filter, Map<Long, Double> similarity) throws SQLException {
        List<Object> params = new ArrayList<>();
        String sql;
        if (filter.isEmpty()) {
            sql = "SELECT t.id FROM caption_texts t ORDER BY t.id DESC LIMIT ?";
        } else if (filter.cameraOnly()) {
            // the camera's distinct texts, newest first, from its summary rows (not its every caption row)
            sql = "SELECT ct.text_id FROM camera_texts ct WHERE ct.camera = ? ORDER BY ct.last_at DESC LIMIT ?";
            params.add(filter.camera().orElseThrow());
        } else {
            String where = SqlFilters.onCaptions(filter, "c", params);
            sql = "SELECT c.text_id FROM captions c WHERE %s GROUP BY c.text_id ORDER BY max(c.captured_at) DESC LIMIT ?"
                    .formatted(where);
        }
        params.add(config.semanticCandidates());
        List<Long> candidates = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(5000);
            SqlFilters.bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    candidates.add(rs.getLong(1));
                }
            }
        }
        int keep = config.fulltextCandidates();
        PriorityQueue<Map.Entry<Long, Double>> best = new PriorityQueue<>(Map.Entry.comparingByValue());
        for (Map.Entry<Long, float[]> v : vectors.get(c, candidates).entrySet()) {
            double sim = CaptionEmbedder.dot(q, v.getValue());
            similarity.put(v.getKey(), sim);
            best.add(Map.entry(v.getKey(), sim));
            if (best.size() > keep) {
                best.poll();
            }
        }
        List<Map.Entry<Long, Double>> ranked = new ArrayList<>(best);
        ranked.sort(Map.Entry.<Long, Double>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        return ranked.stream().map(Map.Entry::getKey).toList();
    }

    private Map<Long, Hit> occurrences(Connection c, List<Long> textIds, Filter filter, Map<Long, Double> fused,
                                       Map<Long, Integer> ftRank, Map<Long, Integer> semRank, Map<Long, Double> similarity,
                                       ZoneId zone) throws SQLException {
        Map<Long, Hit> hits = new LinkedHashMap<>();
        if (textIds.isEmpty()) {
            return hits;
        }
        // placeholders in SQL order: the count's filter (c2), the newest occurrence's filter (c), the text ids
        List<Object> params = new ArrayList<>();
        String counted = SqlFilters.onCaptions(filter, "c2", params);
        String newest = SqlFilters.onCaptions(filter, "c", params);
        params.add(c.createArrayOf("bigint", textIds.toArray()));
        String sql = """
                SELECT t.id, t.text, x.frame_id, x.camera, x.captured_at,
                       (SELECT count(*) FROM captions c2 WHERE c2.text_id = t.id AND %s) AS n,
                       EXISTS (SELECT 1 FROM thumbnails th WHERE th.frame_id = x.frame_id) AS has_thumbnail,
                       (SELECT json_agg(json_build_object('id', e.id, 'kind', e.kind, 'label', e.label, 'text', e.text,
                                                          'start_at', e.start_at, 'end_at', e.end_at) ORDER BY e.id)
                          FROM events e WHERE e.camera = x.camera AND int8range(e.start_at, e.end_at, '[]') @> x.captured_at
                          AND e.kind IN ('object', 'text')) AS events
                FROM caption_texts t CROSS JOIN LATERAL (
                  SELECT c.frame_id, c.camera, c.captured_at FROM captions c WHERE c.text_id = t.id AND %s
                  ORDER BY c.captured_at DESC LIMIT 1) x
                WHERE t.id = ANY (?)""".formatted(counted, newest);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            SqlFilters.bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    UUID frame = rs.getObject(3, UUID.class);
                    long at = rs.getLong(5);
                    String events = rs.getString(8);
                    hits.put(id, new Hit(frame, rs.getString(4), at, HistoryQueries.local(at, zone), rs.getString(2),
                            fused.getOrDefault(id, 0.0), ftRank.get(id), semRank.get(id), similarity.getOrDefault(id, 0.0),
                            rs.getLong(6), rs.getBoolean(7) ? HistoryQueries.THUMBNAIL_PATH.formatted(frame) : null,
                            events == null ? json.createArrayNode() : readTree(events)));
                }
            }
        }
        return hits;
    }

    private JsonNode readTree(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return json.createArrayNode();
        }
    }

}
