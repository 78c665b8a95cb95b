package io.sightline.caption.backend.onnx;

import io.sightline.common.event.DetectionsProduced.Box;
import io.sightline.common.event.DetectionsProduced.Detection;
import io.sightline.common.event.DetectionsProduced.RecognizedText;
import org.junit.jupiter.api.Test;
import org.assertj.core.api.SoftAssertions;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SceneCaptionWriterTest {

    /** Objects, text lines, expected caption. (Plain loops: kafka's test extension breaks @ParameterizedTest here.) */
    private record Row(List<Detection> objects, List<RecognizedText> texts, String expected) {
    }

    private static final List<Row> CAPTIONS = List.of(
            new Row(List.of(), List.of(), "Nothing recognisable is visible."),
            new Row(List.of(obj("cat", 0.62, 0, 0, 400, 300)), List.of(), "A cat is visible."),
            new Row(List.of(obj("person", 0.9, 0, 0, 100, 300), obj("person", 0.8, 200, 0, 100, 300)),
                    List.of(), "Two people are visible."),
            new Row(List.of(obj("person", 0.9, 100, 50, 80, 250), obj("car", 0.8, 200, 120, 300, 180)),
                    List.of(), "A person is next to a car."),
            new Row(List.of(obj("dining table", 0.74, 0, 0, 600, 400), obj("cup", 0.9, 160, 20, 260, 280)),
                    List.of(), "A cup is on a table."),
            new Row(List.of(obj("person", 0.9, 0, 0, 100, 100), obj("dog", 0.7, 500, 400, 50, 50)),
                    List.of(), "A person and a dog are visible."),
            new Row(List.of(obj("motorbike", 0.8, 0, 0, 10, 10)), List.of(), "A motorcycle is visible."),
            new Row(List.of(obj("aeroplane", 0.8, 0, 0, 10, 10)), List.of(), "An airplane is visible."),
            new Row(List.of(obj("tvmonitor", 0.8, 0, 0, 10, 10)), List.of(), "A TV is visible."),
            new Row(List.of(obj("sofa", 0.8, 0, 0, 10, 10), obj("sofa", 0.7, 20, 0, 10, 10),
                    obj("sofa", 0.6, 40, 0, 10, 10)), List.of(), "Three couches are visible."),
            new Row(List.of(obj("person", 0.9, 0, 0, 10, 10), obj("car", 0.8, 300, 300, 10, 10),
                    obj("car", 0.7, 400, 300, 10, 10), obj("dog", 0.6, 100, 200, 10, 10)), List.of(),
                    "A person, two cars and a dog are visible."),
            new Row(List.of(), List.of(text("Invoice 2041 – due 12 May")),
                    "Text reads: 'Invoice 2041 – due 12 May'."),
            new Row(List.of(), List.of(text("Invoice 2041"), text("due 12 May")),
                    "Text reads: 'Invoice 2041 / due 12 May'."),
            // several lines and nothing else: a page, not a screen (no screen was detected)
            new Row(List.of(), List.of(text("Region-based segmentation"), text("Let us first"), text("determine markers")),
                    "A page of text reads: 'Region-based segmentation / Let us first / determine markers'."),
            // quotes and backslashes in what was read cannot end the quotation
            new Row(List.of(), List.of(text("Don't touch C:\\temp")), "Text reads: 'Don\\'t touch C:\\\\temp'."),
            // counts above twelve in words, at the start of a sentence too
            new Row(java.util.Collections.nCopies(13, obj("person", 0.9, 0, 0, 10, 10)), List.of(),
                    "Thirteen people are visible."),
            new Row(java.util.Collections.nCopies(21, obj("car", 0.9, 0, 0, 10, 10)), List.of(),
                    "Twenty-one cars are visible."),
            new Row(java.util.Collections.nCopies(140, obj("person", 0.9, 0, 0, 10, 10)), List.of(),
                    "Over a hundred people are visible."),
            // a relation is said of single objects only: the best box of two people says nothing of the other
            new Row(List.of(obj("person", 0.9, 100, 50, 80, 250), obj("person", 0.85, 900, 50, 80, 250),
                    obj("car", 0.8, 200, 120, 300, 180)), List.of(), "Two people and a car are visible."),
            // classes beyond the fourth are not named, but said to be there
            new Row(List.of(obj("person", 0.9, 0, 0, 10, 10), obj("car", 0.8, 300, 300, 10, 10),
                    obj("dog", 0.7, 100, 200, 10, 10), obj("cat", 0.6, 500, 200, 10, 10),
                    obj("bicycle", 0.5, 700, 200, 10, 10)), List.of(),
                    "A person, a car, a dog, a cat and others are visible."),
            new Row(List.of(obj("laptop", 0.8, 0, 0, 300, 200)), List.of(text("Build passed")),
                    "A laptop is visible. The screen shows text: 'Build passed'."),
            new Row(List.of(obj("person", 0.8, 0, 0, 300, 200)), List.of(text("EXIT")),
                    "A person is visible. Text reads: 'EXIT'."));

    @Test
    void captionSaysWhatWasDetectedInPlainWords() {
        SoftAssertions softly = new SoftAssertions();
        for (Row row : CAPTIONS) {
            softly.assertThat(SceneCaptionWriter.caption(new SceneAnalysis(row.objects(), row.texts(), 0, 0)))
                    .isEqualTo(row.expected());
        }
        softly.assertAll();
    }

    private record LabelRow(List<Detection> objects, String expected) {
    }

    private static final List<LabelRow> LABELS = List.of(
            new LabelRow(List.of(), "Scene contains: nothing recognisable"),
            new LabelRow(List.of(obj("car", 0.6, 0, 0, 1, 1), obj("person", 0.9, 0, 0, 1, 1),
                    obj("car", 0.95, 5, 5, 1, 1)), "Scene contains: car, person"),
            new LabelRow(List.of(obj("diningtable", 0.6, 0, 0, 1, 1), obj("pottedplant", 0.5, 0, 0, 1, 1)),
                    "Scene contains: table, potted plant"));

    @Test
    void labelsListDistinctPlainWordsBestFirst() {
        SoftAssertions softly = new SoftAssertions();
        for (LabelRow row : LABELS) {
            softly.assertThat(SceneCaptionWriter.labels(new SceneAnalysis(row.objects(), List.of(), 0, 0)))
                    .isEqualTo(row.expected());
        }
        softly.assertAll();
    }

    @Test
    void longTextIsCutAtAWordWithAnEllipsis() {
        String line = "Let us first determine markers of the coins and the background these markers are pixels";
        String caption = SceneCaptionWriter.caption(new SceneAnalysis(List.of(), List.of(text(line), text(line)), 0, 0));

        String quoted = caption.substring("Text reads: '".length(), caption.length() - 2);
        assertThat(quoted).endsWith("…").startsWith(line);
        assertThat(quoted.length()).isLessThanOrEqualTo(SceneCaptionWriter.MAX_TEXT_CHARS + 1);
        assertThat(quoted.charAt(quoted.length() - 2)).isNotEqualTo(' ');
        assertThat(line).contains(quoted.substring(line.length() + 3, quoted.length() - 1));
    }

    @Test
    void pluralsReadNaturally() {
        assertThat(SceneCaptionWriter.plural("bus")).isEqualTo("buses");
        assertThat(SceneCaptionWriter.plural("wine glass")).isEqualTo("wine glasses");
        assertThat(SceneCaptionWriter.plural("knife")).isEqualTo("knives");
        assertThat(SceneCaptionWriter.plural("person")).isEqualTo("people");
        assertThat(SceneCaptionWriter.plural("teddy bear")).isEqualTo("teddy bears");
    }

    private static Detection obj(String label, double score, double x, double y, double w, double h) {
        return new Detection(label, score, new Box(x, y, w, h));
    }

    private static RecognizedText text(String text) {
        return new RecognizedText(text, 0.95, new Box(0, 0, 100, 20));
    }
}
