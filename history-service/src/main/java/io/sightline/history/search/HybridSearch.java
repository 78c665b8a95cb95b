package io.sightline.history.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.sightline.embeddings.RecentEmbeddings;
import io.sightline.history.config.HistoryConfig;
import io.sightline.history.store.DatabaseUnavailableException;
import io.sightline.history.store.Filter;
import io.sightline.history.store.HistoryQueries;
import io.sightline.history.store.SqlFilters;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Hybrid caption search: PostgreSQL full text ({@code websearch_to_tsquery}, ranked by {@code ts_rank})
 * and MiniLM semantic similarity, fused by reciprocal rank ({@code sum 1/(k + rank)}). The unit ranked
 * is a distinct caption text; each result is its newest occurrence inside the filter, with the
 * episodes that frame belongs to. Semantic similarity is exact cosine over the texts left after the
 * camera/time/label filters (newest first, at most {@code semantic-candidates}), or, where the server has
 * pgvector ({@link PgvectorIndex}), a nearest-neighbour search of its HNSW index under the same filters; the
 * response says which.
 */
@ApplicationScoped
public class HybridSearch {

    public static final String EXACT = "exact-cosine";
    public static final String HNSW = "pgvector-hnsw";

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
    private final Map<String, Timer> stages = new HashMap<>();
    private final TextVectors vectors;
    private final RecentEmbeddings queries;
    private final PgvectorIndex pgvector;

    HybridSearch(AgroalDataSource dataSource, CaptionEmbedder embedder, ObjectMapper json, HistoryConfig config, MeterRegistry registry,
                 PgvectorIndex pgvector) {
        this.dataSource = dataSource;
        this.pgvector = pgvector;
        this.embedder = embedder;
        this.json = json;
        this.config = config.search();
        this.timer = Timer.builder("sightline.history.search").description("One hybrid search").register(registry);
        for (String stage : List.of("embed", "fulltext", "candidates", "cosine", "occurrences")) {
            stages.put(stage, Timer.builder("sightline.history.search.stage").tag("stage", stage)
                    .description("One stage of a hybrid search").register(registry));
        }
        this.vectors = new TextVectors(config.search().vectorCacheSize(), registry);
        this.queries = new RecentEmbeddings(config.search().queryEmbeddingCacheSize());
        FunctionCounter.builder("sightline.history.search.query.embeddings", queries, RecentEmbeddings::hits).tag("outcome", "cached")
                .description("search texts whose embedding was remembered").register(registry);
        FunctionCounter.builder("sightline.history.search.query.embeddings", queries, RecentEmbeddings::misses).tag("outcome", "computed")
                .description("search texts the model embedded").register(registry);
    }

    public Result search(String query, Filter filter, int limit, ZoneId zone) {
        return timer.record(() -> run(query, filter, limit, zone));
    }

    private Result run(String query, Filter filter, int limit, ZoneId zone) {
        long start = System.nanoTime();
        float[] q = queries.get(query, embedder::embed);
        start = lap("embed", start);
        try (Connection c = dataSource.getConnection()) {
            List<Long> fulltext = fulltext(c, query, filter);
            start = lap("fulltext", start);
            boolean hnsw = pgvector.state(c) == PgvectorIndex.State.IN_USE;
            Similarities similarity = hnsw ? nearest(c, q, filter) : semantic(c, q, filter);
            List<Long> semantic = similarity.ranked();
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
            start = System.nanoTime();
            Map<Long, Hit> hits = occurrences(c, top, filter, fused, ftRank, semRank, similarity, zone);
            lap("occurrences", start);
            List<Hit> ordered = top.stream().map(hits::get).filter(h -> h != null).toList();
            return new Result(query, "websearch_to_tsquery('english')", hnsw ? HNSW : EXACT, pgvector.available(), similarity.scored(),
                    fulltext.size(), ordered);
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

    /** The first column of every row, as longs. */
    private static long[] ids(Connection c, String sql, List<?> params) throws SQLException {
        long[] ids = new long[1024];
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(5000);
            SqlFilters.bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (n == ids.length) {
                        ids = Arrays.copyOf(ids, ids.length * 2);
                    }
                    ids[n++] = rs.getLong(1);
                }
            }
        }
        return Arrays.copyOf(ids, n);
    }

    /** The stage's time since {@code start}, recorded; returns now. */
    private long lap(String stage, long start) {
        long now = System.nanoTime();
        stages.get(stage).record(now - start, TimeUnit.NANOSECONDS);
        return now;
    }

    /**
     * The candidates' cosine similarities to the query, and the best {@code fulltext-candidates} of them in
     * rank order. Parallel arrays, not a map: a one-camera search scores about 20,000 texts.
     */
    record Similarities(long[] ids, double[] values, int scored, List<Long> ranked) {

        double of(long id) {
            for (int i = 0; i < scored; i++) {
                if (ids[i] == id) {
                    return values[i];
                }
            }
            return 0.0;
        }
    }

    private Similarities semantic(Connection c, float[] q, Filter filter) throws SQLException {
        long start = System.nanoTime();
        long[] candidates;
        if (filter.isEmpty()) {
            candidates = ids(c, "SELECT t.id FROM caption_texts t ORDER BY t.id DESC LIMIT ?", List.of(config.semanticCandidates()));
        } else if (filter.cameraOnly()) {
            // the camera's distinct texts from its summary rows (not its every caption row): in primary-key order, an
            // index-only scan; only a camera with more texts than semantic-candidates needs them newest first
            String camera = filter.camera().orElseThrow();
            candidates = ids(c, "SELECT ct.text_id FROM camera_texts ct WHERE ct.camera = ? LIMIT ?",
                    List.of(camera, config.semanticCandidates() + 1));
            if (candidates.length > config.semanticCandidates()) {
                candidates = ids(c, "SELECT ct.text_id FROM camera_texts ct WHERE ct.camera = ? ORDER BY ct.last_at DESC LIMIT ?",
                        List.of(camera, config.semanticCandidates()));
            }
        } else {
            List<Object> params = new ArrayList<>();
            String where = SqlFilters.onCaptions(filter, "c", params);
            params.add(config.semanticCandidates());
            candidates = ids(c, "SELECT c.text_id FROM captions c WHERE %s GROUP BY c.text_id ORDER BY max(c.captured_at) DESC LIMIT ?"
                    .formatted(where), params);
        }
        int n = candidates.length;
        start = lap("candidates", start);
        float[][] found = vectors.get(c, candidates, n);
        long[] ids = new long[n];
        double[] values = new double[n];
        int scored = 0;
        for (int i = 0; i < n; i++) {
            if (found[i] != null) {
                ids[scored] = candidates[i];
                values[scored++] = CaptionEmbedder.dot(q, found[i]);
            }
        }
        List<Long> ranked = best(ids, values, scored, config.fulltextCandidates());
        lap("cosine", start);
        return new Similarities(ids, values, scored, ranked);
    }

    /** The ids of the best {@code keep} of the first {@code n}, by similarity, equal similarities in id order. */
    private static List<Long> best(long[] ids, double[] values, int n, int keep) {
        Comparator<Integer> byRank = (x, y) -> {
            int bySimilarity = Double.compare(values[y], values[x]);
            return bySimilarity != 0 ? bySimilarity : Long.compare(ids[x], ids[y]);
        };
        int k = Math.min(n, keep);
        // a heap of indices whose head is the worst kept
        PriorityQueue<Integer> best = new PriorityQueue<>(k + 1, byRank.reversed());
        for (int i = 0; i < n; i++) {
            if (best.size() < k) {
                best.add(i);
            } else if (k > 0 && byRank.compare(i, best.peek()) < 0) {
                best.poll();
                best.add(i);
            }
        }
        List<Integer> order = new ArrayList<>(best);
        order.sort(byRank);
        return order.stream().map(i -> ids[i]).toList();
    }

    /**
     * The {@code fulltext-candidates} nearest texts by pgvector's cosine distance under the filter, through the HNSW
     * index. Iterative index scans (pgvector 0.8) keep walking the graph until enough texts pass the filter; their
     * relaxed order is put right here.
     */
    private Similarities nearest(Connection c, float[] q, Filter filter) throws SQLException {
        long start = System.nanoTime();
        try (Statement st = c.createStatement()) { // one round trip; an int from config, no input
            st.execute("SET hnsw.ef_search = " + Math.max(1, config.hnswEfSearch()) + "; SET hnsw.iterative_scan = relaxed_order");
        }
        String vector = PgvectorIndex.literal(q);
        List<Object> params = new ArrayList<>();
        params.add(vector);
        String where;
        if (filter.isEmpty()) {
            where = "TRUE";
        } else if (filter.cameraOnly()) {
            where = "EXISTS (SELECT 1 FROM camera_texts ct WHERE ct.text_id = t.id AND ct.camera = ?)";
            params.add(filter.camera().orElseThrow());
        } else {
            where = "EXISTS (SELECT 1 FROM captions c WHERE c.text_id = t.id AND " + SqlFilters.onCaptions(filter, "c", params) + ")";
        }
        params.add(vector);
        params.add(config.fulltextCandidates());
        String sql = """
                SELECT t.id, 1 - (t.%1$s <=> ?::vector) FROM caption_texts t
                WHERE t.%1$s IS NOT NULL AND %2$s
                ORDER BY t.%1$s <=> ?::vector LIMIT ?""".formatted(PgvectorIndex.COLUMN, where);
        long[] idArray = new long[config.fulltextCandidates()];
        double[] valueArray = new double[config.fulltextCandidates()];
        int n = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            SqlFilters.bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && n < idArray.length) {
                    idArray[n] = rs.getLong(1);
                    valueArray[n++] = rs.getDouble(2);
                }
            }
        }
        List<Long> ranked = best(idArray, valueArray, n, n);
        lap("candidates", start);
        return new Similarities(idArray, valueArray, n, ranked);
    }

    private Map<Long, Hit> occurrences(Connection c, List<Long> textIds, Filter filter, Map<Long, Double> fused,
                                       Map<Long, Integer> ftRank, Map<Long, Integer> semRank, Similarities similarity,
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
                            fused.getOrDefault(id, 0.0), ftRank.get(id), semRank.get(id), similarity.of(id),
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
