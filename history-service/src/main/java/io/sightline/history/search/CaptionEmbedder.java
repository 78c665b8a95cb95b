package io.sightline.history.search;

import io.quarkus.runtime.Startup;
import io.sightline.embeddings.MiniLmEmbeddingModel;
import io.sightline.embeddings.SentenceVectors;
import io.sightline.history.config.HistoryConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * all-MiniLM-L6-v2 (int8, bundled with its tokenizer; the embeddings module's one model, the same as
 * fallback-service's classifier) sentence embeddings of caption texts and queries, L2-normalised so
 * cosine similarity is a dot product. Loaded at startup, not on the first query.
 */
@Startup
@ApplicationScoped
public class CaptionEmbedder {

    public static final int DIMENSIONS = MiniLmEmbeddingModel.DIMENSIONS;

    private final MiniLmEmbeddingModel model;

    CaptionEmbedder(HistoryConfig config) {
        this.model = new MiniLmEmbeddingModel(config.ingest().embeddingThreads());
    }

    public float[] embed(String text) {
        return SentenceVectors.embed(model, text);
    }

    public float[][] embedAll(List<String> texts) {
        return SentenceVectors.embedAll(model, texts);
    }

    public static double dot(float[] a, float[] b) {
        return SentenceVectors.dot(a, b);
    }
}
