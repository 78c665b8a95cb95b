package io.sightline.fallback.classify;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Embeddings of recently classified query texts, least recently used evicted: dashboards and watch
 * jobs ask the same questions over and over, and each embedding costs a model run.
 */
final class QueryEmbeddings {

    private final int capacity;
    private final Map<String, float[]> recent;

    QueryEmbeddings(int capacity) {
        this.capacity = Math.max(0, capacity);
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
                return size() > QueryEmbeddings.this.capacity;
            }
        };
    }

    /** The cached embedding of the text, or the computed one (then cached); computed outside the lock. */
    float[] get(String text, Function<String, float[]> embed) {
        if (capacity == 0) {
            return embed.apply(text);
        }
        synchronized (recent) {
            float[] cached = recent.get(text);
            if (cached != null) {
                return cached;
            }
        }
        float[] vector = embed.apply(text);
        synchronized (recent) {
            recent.put(text, vector);
        }
        return vector;
    }

    int size() {
        synchronized (recent) {
            return recent.size();
        }
    }
}
