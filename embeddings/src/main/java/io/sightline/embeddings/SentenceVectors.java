package io.sightline.embeddings;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;

import java.util.List;

/**
 * Sentence embeddings as L2-normalised float vectors, so that the cosine similarity of two of them is
 * their {@link #dot dot product}. MiniLM already normalises; normalising again keeps that true whatever
 * model is passed (tests use others).
 */
public final class SentenceVectors {

    private SentenceVectors() {
    }

    public static float[] embed(EmbeddingModel model, String text) {
        return normalised(model.embed(text).content().vector());
    }

    /** One batch through the model; the result is in the order of {@code texts}. */
    public static float[][] embedAll(EmbeddingModel model, List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        List<Embedding> embeddings = model.embedAll(texts.stream().map(TextSegment::from).toList()).content();
        float[][] vectors = new float[embeddings.size()][];
        for (int i = 0; i < vectors.length; i++) {
            vectors[i] = normalised(embeddings.get(i).vector());
        }
        return vectors;
    }

    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors of " + a.length + " and " + b.length + " dimensions");
        }
        // four independent sums: the additions of one long chain wait on each other; these overlap
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (int end = a.length & ~3; i < end; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i] * b[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code v} scaled to length 1; the zero vector stays zero (it is similar to nothing). */
    public static float[] normalised(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        if (norm == 0) {
            return v;
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / norm);
        }
        return out;
    }
}
