package io.sightline.fallback.classify;

import dev.langchain4j.model.embedding.EmbeddingModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.sightline.embeddings.MiniLmEmbeddingModel;
import io.sightline.embeddings.RecentEmbeddings;
import io.sightline.embeddings.SentenceVectors;
import io.sightline.fallback.config.FallbackConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Classifies a query by comparing its all-MiniLM-L6-v2 sentence embedding with labelled example
 * queries. Each intent scores the highest cosine similarity among its examples; the confidence is the
 * softmax of those scores at temperature T, which is fitted at startup by minimising the negative
 * log-likelihood of a separate calibration set (so that "0.8" means right about 80% of the time).
 * Example and calibration embeddings are computed once and kept between starts ({@link ReferenceVectors}).
 */
@Singleton
@Startup
public class QueryClassifier {

    static final String EXAMPLES = "classifier/examples.tsv";
    static final String CALIBRATION = "classifier/calibration.tsv";

    private final EmbeddingModel model;
    private final List<QueryIntent> exampleIntents;
    private final float[][] exampleVectors;
    private final double temperature;
    private final Timer timer;
    private final RecentEmbeddings embeddings;

    @Inject
    QueryClassifier(FallbackConfig config, MeterRegistry registry) {
        this(new MiniLmEmbeddingModel(config.classifier().threads()), config, registry);
    }

    private QueryClassifier(MiniLmEmbeddingModel model, FallbackConfig config, MeterRegistry registry) {
        this(model, new ReferenceVectors(model, model.fingerprint(), config.classifier().referenceVectorsDir()),
                LabelledQuery.load(EXAMPLES), LabelledQuery.load(CALIBRATION), config.classifier().temperature(),
                config.classifier().embeddingCacheSize(), registry);
    }

    QueryClassifier(EmbeddingModel model, List<LabelledQuery> examples, List<LabelledQuery> calibration,
                    Optional<Double> fixedTemperature, MeterRegistry registry) {
        this(model, examples, calibration, fixedTemperature, 0, registry);
    }

    QueryClassifier(EmbeddingModel model, List<LabelledQuery> examples, List<LabelledQuery> calibration,
                    Optional<Double> fixedTemperature, int embeddingCacheSize, MeterRegistry registry) {
        this(model, ReferenceVectors.computedEachStart(model), examples, calibration, fixedTemperature, embeddingCacheSize, registry);
    }

    QueryClassifier(EmbeddingModel model, ReferenceVectors referenceVectors, List<LabelledQuery> examples,
                    List<LabelledQuery> calibration, Optional<Double> fixedTemperature, int embeddingCacheSize,
                    MeterRegistry registry) {
        long start = System.nanoTime();
        this.model = model;
        this.embeddings = new RecentEmbeddings(embeddingCacheSize);
        this.exampleIntents = examples.stream().map(LabelledQuery::intent).toList();
        // examples and calibration queries in one list: one file of reference vectors
        List<LabelledQuery> references = new ArrayList<>(examples);
        if (fixedTemperature.isEmpty()) {
            references.addAll(calibration);
        }
        float[][] vectors = referenceVectors.of(references.stream().map(LabelledQuery::text).toList());
        this.exampleVectors = Arrays.copyOfRange(vectors, 0, examples.size());
        for (QueryIntent intent : QueryIntent.values()) {
            if (!exampleIntents.contains(intent)) {
                throw new IllegalStateException("no example query for intent " + intent.wireName());
            }
        }
        if (fixedTemperature.isPresent()) {
            if (!(fixedTemperature.get() > 0)) {
                throw new IllegalArgumentException("classifier temperature must be > 0, was " + fixedTemperature.get());
            }
            this.temperature = fixedTemperature.get();
        } else {
            float[][] calibrationVectors = Arrays.copyOfRange(vectors, examples.size(), vectors.length);
            List<double[]> scores = new ArrayList<>();
            for (float[] v : calibrationVectors) {
                scores.add(intentScores(v));
            }
            this.temperature = TemperatureFit.fit(scores, calibration.stream().map(q -> q.intent().ordinal()).toList());
        }
        this.timer = Timer.builder("sightline.fallback.classifier").description("Embedding and scoring one query")
                .register(registry);
        Log.infof("Query classifier ready: %d examples, %d intents, temperature %.4f (%s), %d ms",
                examples.size(), QueryIntent.values().length, temperature,
                fixedTemperature.isPresent() ? "configured" : "fitted on " + calibration.size() + " calibration queries",
                (System.nanoTime() - start) / 1_000_000);
    }

    public double temperature() {
        return temperature;
    }

    /** Blocking (ONNX inference, a few ms): call from a worker thread. */
    public Classification classify(String query) {
        return timer.record(() -> {
            double[] scores = intentScores(embeddings.get(query, text -> SentenceVectors.embed(model, text)));
            double[] probabilities = TemperatureFit.softmax(scores, temperature);
            int best = 0;
            for (int i = 1; i < probabilities.length; i++) {
                if (probabilities[i] > probabilities[best]) {
                    best = i;
                }
            }
            Map<QueryIntent, Double> byIntent = new EnumMap<>(QueryIntent.class);
            for (QueryIntent intent : QueryIntent.values()) {
                byIntent.put(intent, probabilities[intent.ordinal()]);
            }
            return new Classification(QueryIntent.values()[best], probabilities[best], byIntent);
        });
    }

    /** Per intent (by ordinal): the highest cosine similarity between the query and that intent's examples. */
    private double[] intentScores(float[] query) {
        double[] scores = new double[QueryIntent.values().length];
        Arrays.fill(scores, -1.0);
        for (int i = 0; i < exampleVectors.length; i++) {
            int intent = exampleIntents.get(i).ordinal();
            double cosine = SentenceVectors.dot(query, exampleVectors[i]);
            if (cosine > scores[intent]) {
                scores[intent] = cosine;
            }
        }
        return scores;
    }
}
