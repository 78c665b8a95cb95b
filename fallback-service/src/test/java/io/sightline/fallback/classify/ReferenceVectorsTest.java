package io.sightline.fallback.classify;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import io.sightline.embeddings.SentenceVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ReferenceVectorsTest {

    /** A deterministic stand-in model (vectors from the text's characters) that records what it embeds. */
    static final class CountingModel implements EmbeddingModel {
        final List<String> embedded = new ArrayList<>();

        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
            List<Embedding> out = new ArrayList<>();
            for (TextSegment segment : segments) {
                embedded.add(segment.text());
                float[] v = new float[8];
                for (int i = 0; i < segment.text().length(); i++) {
                    v[i % 8] += segment.text().charAt(i) * (i + 1) / 1000f;
                }
                out.add(Embedding.from(v));
            }
            return Response.from(out);
        }
    }

    private static final List<String> TEXTS = List.of("is anyone at the door", "how many cars", "what does the sign say");

    @TempDir
    Path dir;

    @Test
    void aRestartReadsTheVectorsInsteadOfRunningTheModel() {
        CountingModel first = new CountingModel();
        float[][] computed = new ReferenceVectors(first, "model-a", Optional.of(dir)).of(TEXTS);
        assertThat(first.embedded).containsExactlyElementsOf(TEXTS);

        CountingModel second = new CountingModel();
        float[][] read = new ReferenceVectors(second, "model-a", Optional.of(dir)).of(TEXTS);

        assertThat(second.embedded).isEmpty();
        assertThat(read).isDeepEqualTo(computed);
        assertThat(read).isDeepEqualTo(SentenceVectors.embedAll(new CountingModel(), TEXTS));
    }

    @Test
    void anotherModelOrAnEditedTextComputesAgainAndReplacesTheFile() throws IOException {
        new ReferenceVectors(new CountingModel(), "model-a", Optional.of(dir)).of(TEXTS);

        CountingModel otherModel = new CountingModel();
        new ReferenceVectors(otherModel, "model-b", Optional.of(dir)).of(TEXTS);
        assertThat(otherModel.embedded).hasSize(3);

        List<String> edited = List.of("is anyone at the front door", "how many cars", "what does the sign say");
        CountingModel afterEdit = new CountingModel();
        float[][] vectors = new ReferenceVectors(afterEdit, "model-b", Optional.of(dir)).of(edited);
        assertThat(afterEdit.embedded).containsExactlyElementsOf(edited);
        assertThat(vectors).isDeepEqualTo(SentenceVectors.embedAll(new CountingModel(), edited));
        assertThat(files()).hasSize(1);
    }

    @Test
    void aTruncatedOrGarbledFileIsComputedAgainNeverUsed() throws IOException {
        float[][] expected = new ReferenceVectors(new CountingModel(), "model-a", Optional.of(dir)).of(TEXTS);
        Path file = files().get(0);
        byte[] whole = Files.readAllBytes(file);

        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 7));
        CountingModel afterTruncation = new CountingModel();
        assertThat(new ReferenceVectors(afterTruncation, "model-a", Optional.of(dir)).of(TEXTS)).isDeepEqualTo(expected);
        assertThat(afterTruncation.embedded).hasSize(3);

        byte[] garbled = Files.readAllBytes(file);
        garbled[3] ^= 0x5A;
        Files.write(file, garbled);
        CountingModel afterGarbling = new CountingModel();
        assertThat(new ReferenceVectors(afterGarbling, "model-a", Optional.of(dir)).of(TEXTS)).isDeepEqualTo(expected);
        assertThat(afterGarbling.embedded).hasSize(3);

        CountingModel afterRewrite = new CountingModel();
        new ReferenceVectors(afterRewrite, "model-a", Optional.of(dir)).of(TEXTS);
        assertThat(afterRewrite.embedded).as("the file was written again after each bad read").isEmpty();
    }

    @Test
    void anUnwritableDirectoryOnlyCostsTheNextStart() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        CountingModel model = new CountingModel();
        float[][] vectors = new ReferenceVectors(model, "model-a", Optional.of(notADirectory.resolve("sub"))).of(TEXTS);
        assertThat(vectors).isDeepEqualTo(SentenceVectors.embedAll(new CountingModel(), TEXTS));
        assertThat(model.embedded).hasSize(3);
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().startsWith(ReferenceVectors.FILE_PREFIX)).toList();
        }
    }
}
