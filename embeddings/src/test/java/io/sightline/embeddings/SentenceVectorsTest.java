package io.sightline.embeddings;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The real bundled MiniLM: paraphrases are near, unrelated sentences far, batches equal single calls. */
class SentenceVectorsTest {

    private static MiniLmEmbeddingModel model;

    @BeforeAll
    static void load() {
        model = new MiniLmEmbeddingModel(1);
    }

    @AfterAll
    static void close() {
        model = null;
    }

    @Test
    void paraphrasesAreCloserThanUnrelatedSentences() {
        float[] query = SentenceVectors.embed(model, "a person walks a dog in the park");
        float[] paraphrase = SentenceVectors.embed(model, "someone is walking their dog outside in a park");
        float[] unrelated = SentenceVectors.embed(model, "the quarterly invoice total is 4,200 euros");

        assertThat(query).hasSize(MiniLmEmbeddingModel.DIMENSIONS);
        assertThat(SentenceVectors.dot(query, query)).isCloseTo(1.0, within(1e-4));
        assertThat(SentenceVectors.dot(query, paraphrase)).isGreaterThan(0.6)
                .isGreaterThan(SentenceVectors.dot(query, unrelated) + 0.4);
    }

    @Test
    void aBatchGivesTheSameVectorsAsOneByOne() {
        List<String> texts = List.of("a red car is parked in the driveway", "two people stand at the door", "an empty room");
        float[][] batch = SentenceVectors.embedAll(model, texts);

        assertThat(batch).hasNumberOfRows(3);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(SentenceVectors.dot(batch[i], SentenceVectors.embed(model, texts.get(i)))).isCloseTo(1.0, within(1e-3));
        }
        assertThat(SentenceVectors.embedAll(model, List.of())).isEmpty();
    }

    @Test
    void theZeroVectorStaysZeroAndMismatchedDimensionsAreRefused() {
        assertThat(SentenceVectors.normalised(new float[3])).containsExactly(0f, 0f, 0f);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SentenceVectors.dot(new float[2], new float[3]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
