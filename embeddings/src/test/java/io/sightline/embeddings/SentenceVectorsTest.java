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

    @Test
    void theDotProductIsTheSumOfProductsForEveryLength() {
        java.util.Random random = new java.util.Random(7);
        for (int n : new int[] {0, 1, 3, 4, 5, 383, 384}) {
            float[] a = new float[n];
            float[] b = new float[n];
            double expected = 0;
            for (int i = 0; i < n; i++) {
                a[i] = random.nextFloat() - 0.5f;
                b[i] = random.nextFloat() - 0.5f;
                expected += (double) (a[i] * b[i]);
            }
            assertThat(SentenceVectors.dot(a, b)).as("length %d", n).isCloseTo(expected, within(1e-9));
        }
    }

    @Test
    void recentEmbeddingsRunTheModelOncePerTextAndEvictTheLeastRecentlyUsed() {
        java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
        RecentEmbeddings recent = new RecentEmbeddings(2);
        java.util.function.Function<String, float[]> embed = text -> {
            runs.incrementAndGet();
            return SentenceVectors.embed(model, text);
        };
        float[] cat = recent.get("a cat on the sofa", embed);
        assertThat(recent.get("a cat on the sofa", embed)).isSameAs(cat);
        recent.get("a van at the door", embed);
        recent.get("a cat on the sofa", embed);      // now the most recently used
        recent.get("a dog in the garden", embed);    // evicts the van
        assertThat(runs).hasValue(3);
        recent.get("a van at the door", embed);
        assertThat(runs).hasValue(4);
        assertThat(recent.size()).isEqualTo(2);
        assertThat(recent.hits()).isEqualTo(2);
        assertThat(recent.misses()).isEqualTo(4);

        RecentEmbeddings off = new RecentEmbeddings(0);
        off.get("a cat on the sofa", embed);
        off.get("a cat on the sofa", embed);
        assertThat(runs).hasValue(6);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RecentEmbeddings(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
