package io.sightline.history.search;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MiniLM vectors of caption texts, kept in memory (least recently used out beyond {@code capacity}).
 * A text's vector never changes (caption_texts rows are immutable and ids are never reused), so a search
 * reads only the candidate ids from the database and the vectors it has not seen yet: reading 20,000
 * {@code real[]} columns as text and boxing them was most of a semantic search's time.
 */
final class TextVectors {

    private static final int LOAD_CHUNK = 5000;

    private final int capacity;
    private final Map<Long, float[]> vectors;
    private final Counter hits;
    private final Counter misses;

    TextVectors(int capacity, MeterRegistry registry) {
        this.capacity = capacity;
        this.vectors = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, float[]> eldest) {
                return size() > TextVectors.this.capacity;
            }
        };
        this.hits = Counter.builder("sightline.history.search.vectors").tag("outcome", "cached")
                .description("caption-text vectors a semantic search found in memory").register(registry);
        this.misses = Counter.builder("sightline.history.search.vectors").tag("outcome", "loaded")
                .description("caption-text vectors a semantic search read from the database").register(registry);
        Gauge.builder("sightline.history.search.vectors.cached", this, TextVectors::size).register(registry);
    }

    synchronized int size() {
        return vectors.size();
    }

    /**
     * The vectors of the first {@code n} of {@code ids}, index for index (null where a text has no vector), reading
     * the missing ones on {@code c}.
     */
    float[][] get(Connection c, long[] ids, int n) throws SQLException {
        float[][] found = new float[n][];
        List<Long> missing = new ArrayList<>();
        if (capacity > 0) {
            synchronized (this) {
                for (int i = 0; i < n; i++) {
                    found[i] = vectors.get(ids[i]);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (found[i] == null) {
                missing.add(ids[i]);
            }
        }
        hits.increment(n - missing.size());
        misses.increment(missing.size());
        if (missing.isEmpty()) {
            return found;
        }
        Map<Long, float[]> loaded = new HashMap<>(missing.size() * 2);
        for (int from = 0; from < missing.size(); from += LOAD_CHUNK) {
            Map<Long, float[]> chunk = load(c, missing.subList(from, Math.min(missing.size(), from + LOAD_CHUNK)));
            loaded.putAll(chunk);
            if (capacity > 0) {
                synchronized (this) {
                    vectors.putAll(chunk);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (found[i] == null) {
                found[i] = loaded.get(ids[i]);
            }
        }
        return found;
    }

    private static Map<Long, float[]> load(Connection c, List<Long> ids) throws SQLException {
        Map<Long, float[]> loaded = new HashMap<>(ids.size() * 2);
        try (PreparedStatement ps = c.prepareStatement("SELECT id, embedding FROM caption_texts WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            ps.setFetchSize(2000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    loaded.put(rs.getLong(1), floats(rs.getArray(2)));
                }
            }
        }
        return loaded;
    }

    private static float[] floats(Array array) throws SQLException {
        Object raw = array.getArray();
        if (raw instanceof Float[] boxed) {
            float[] v = new float[boxed.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = boxed[i];
            }
            return v;
        }
        if (raw instanceof float[] v) {
            return v;
        }
        throw new SQLException("embedding is not a real[]: " + raw.getClass());
    }
}
