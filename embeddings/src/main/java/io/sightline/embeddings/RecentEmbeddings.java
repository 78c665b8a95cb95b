package io.sightline.embeddings;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Embeddings of recently seen texts, least recently used evicted: dashboards, watch jobs and saved
 * searches ask the same questions over and over, and each embedding costs a model run. Thread-safe;
 * the model runs outside the lock, so two callers embedding the same new text may both compute it.
 */
public final class RecentEmbeddings {

    private final int capacity;
    private final Map<String, float[]> recent;
    private long hits;
    private long misses;

    /** {@code capacity} 0 turns caching off: every call computes. */
    public RecentEmbeddings(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("embedding cache capacity must be >= 0, was " + capacity);
        }
        this.capacity = capacity;
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > RecentEmbeddings.this.capacity;
            }
        };
    }

    /** The cached embedding of the text, or the computed one (then cached); computed outside the lock. */
    public float[] get(String text, Function<String, float[]> embed) {
        if (capacity == 0) {
            return embed.apply(text);
        }
        synchronized (recent) {
            float[] cached = recent.get(text);
            if (cached != null) {
                hits++;
                return cached;
            }
            misses++;
        }
        float[] vector = embed.apply(text);
        synchronized (recent) {
            recent.put(text, vector);
        }
        return vector;
    }

    public int size() {
        synchronized (recent) {
            return recent.size();
        }
    }

    /** Calls answered from the cache so far (for a metric). */
    public long hits() {
        synchronized (recent) {
            return hits;
        }
    }

    /** Calls that ran the model so far (for a metric). */
    public long misses() {
        synchronized (recent) {
            return misses;
        }
    }
}
