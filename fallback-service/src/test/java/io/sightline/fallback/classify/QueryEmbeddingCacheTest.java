package io.sightline.fallback.classify;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.sightline.embeddings.MiniLmEmbeddingModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class QueryEmbeddingCacheTest {

    /** The real model, recording every text it is asked to embed. */
    static final class RecordingModel implements EmbeddingModel {
        final EmbeddingModel real;
        final List<String> embedded = new ArrayList<>();

        RecordingModel(EmbeddingModel real) {
            this.real = real;
        }

        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            segments.forEach(s -> embedded.add(s.text()));
            return real.embedAll(segments);
        }
    }

    private static EmbeddingModel real;

    @BeforeAll
    static void load() {
        real = new MiniLmEmbeddingModel(1);
    }

    @Test
    void repeatedQueryTextsAreEmbeddedOnceAndClassifiedAlike() {
        RecordingModel model = new RecordingModel(real);
        QueryClassifier classifier = new QueryClassifier(model, LabelledQuery.load(QueryClassifier.EXAMPLES),
                LabelledQuery.load(QueryClassifier.CALIBRATION), Optional.of(0.05), 2, new SimpleMeterRegistry());
        model.embedded.clear();

        Classification first = classifier.classify("is anyone at the front door?");
        Classification second = classifier.classify("is anyone at the front door?");
        classifier.classify("what does the sign say");
        classifier.classify("how many cars are parked");
        classifier.classify("is anyone at the front door?");

        assertThat(second).isEqualTo(first);
        // capacity 2: the door question was evicted by the two others and embedded again
        assertThat(model.embedded).containsExactly("is anyone at the front door?", "what does the sign say",
                "how many cars are parked", "is anyone at the front door?");
    }

    @Test
    void ownSessionGivesTheBundledModelsVectors() {
        float[] ours = real.embed("a person walks past the garage").content().vector();
        float[] bundled = new AllMiniLmL6V2QuantizedEmbeddingModel().embed("a person walks past the garage").content().vector();
        assertThat(ours).containsExactly(bundled, org.assertj.core.data.Offset.offset(1e-4f));
    }
}
