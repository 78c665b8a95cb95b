package io.sightline.common.vlm.parse;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Boxes as grounding VLMs really write them, normalised to 0-1 of the frame. */
class VlmResponseParserBoxTest {

    private static final ScreenSize SENT = new ScreenSize(1024, 576);

    @Test
    void readsQwen25VlBbox2dInPixelsOfTheImageSentWithItsLabel() {
        String answer = """
                ```json
                [
                	{"bbox_2d": [412, 118, 618, 503], "label": "astronaut"}
                ]
                ```""";

        ParsedBox parsed = VlmResponseParser.parseBox(answer, SENT);

        FrameBox box = parsed.box().orElseThrow();
        assertThat(box.x()).isCloseTo(412 / 1024.0, within(1e-9));
        assertThat(box.y()).isCloseTo(118 / 576.0, within(1e-9));
        assertThat(box.width()).isCloseTo(206 / 1024.0, within(1e-9));
        assertThat(box.height()).isCloseTo(385 / 576.0, within(1e-9));
        assertThat(box.label()).contains("astronaut");
        assertThat(parsed.reason()).contains("bbox_2d", "pixels of the 1024x576 image");
    }

    @Test
    void readsQwen3VlBbox2dIn0To1000WhenTheDeploymentSaysSoOrTheNumbersLeaveTheImage() {
        String qwen3 = "[{\"bbox_2d\": [402, 205, 603, 873], \"label\": \"person in a spacesuit\"}]";

        FrameBox told = VlmResponseParser.parseBox(qwen3, SENT, BoxUnits.PER_MILLE).box().orElseThrow();
        assertThat(told.x()).isCloseTo(0.402, within(1e-9));
        assertThat(told.y()).isCloseTo(0.205, within(1e-9));
        assertThat(told.width()).isCloseTo(0.201, within(1e-9));
        assertThat(told.height()).isCloseTo(0.668, within(1e-9));
        assertThat(told.label()).contains("person in a spacesuit");

        // 873 is below a 576-pixel-high image's bottom edge: these can only be 0-1000
        ParsedBox guessed = VlmResponseParser.parseBox(qwen3, SENT);
        assertThat(guessed.box()).contains(told);
        assertThat(guessed.reason()).contains("0-1000");
    }

    @Test
    void readsQwenVlBoxTagsIn0To1000() {
        String chat = "<ref>the man</ref><box>(245,121),(733,985)</box>";
        String special = "The dog is here: <|box_start|>(100,500),(300,900)<|box_end|>";
        String cog = "A cup <box>[[120, 340, 410, 720]]</box> on the table.";

        FrameBox man = VlmResponseParser.parseBox(chat, SENT).box().orElseThrow();
        assertThat(man.x()).isCloseTo(0.245, within(1e-9));
        assertThat(man.y()).isCloseTo(0.121, within(1e-9));
        assertThat(man.width()).isCloseTo(0.488, within(1e-9));
        assertThat(man.height()).isCloseTo(0.864, within(1e-9));
        assertThat(VlmResponseParser.parseBox(special, SENT).box().orElseThrow().centreX()).isCloseTo(0.2, within(1e-9));
        assertThat(VlmResponseParser.parseBox(cog, SENT).box().orElseThrow().y()).isCloseTo(0.34, within(1e-9));
    }

    @Test
    void readsFourBracketedNumbersInProseAsPixelsOrFractions() {
        FrameBox pixels = VlmResponseParser.parseBox("The red cup is on the table at [150, 300, 262, 420].", SENT).box().orElseThrow();
        assertThat(pixels.x()).isCloseTo(150 / 1024.0, within(1e-9));
        assertThat(pixels.height()).isCloseTo(120 / 576.0, within(1e-9));

        ParsedBox fractions = VlmResponseParser.parseBox("Bounding box (normalised): (0.21, 0.35, 0.48, 0.9)", SENT);
        assertThat(fractions.box().orElseThrow().x()).isCloseTo(0.21, within(1e-9));
        assertThat(fractions.box().orElseThrow().width()).isCloseTo(0.27, within(1e-9));
        assertThat(fractions.reason()).contains("0-1");
    }

    @Test
    void readsGeminiBox2dYFirstIn0To1000() {
        FrameBox cat = VlmResponseParser.parseBox("```json\n[{\"box_2d\": [100, 200, 500, 600], \"label\": \"cat\"}]\n```", SENT)
                .box().orElseThrow();

        assertThat(cat.x()).isCloseTo(0.2, within(1e-9));
        assertThat(cat.y()).isCloseTo(0.1, within(1e-9));
        assertThat(cat.width()).isCloseTo(0.4, within(1e-9));
        assertThat(cat.height()).isCloseTo(0.4, within(1e-9));
        assertThat(cat.label()).contains("cat");
    }

    @Test
    void clampsABoxThatOvershootsTheEdgeByAFewPixels() {
        FrameBox box = VlmResponseParser.parseBox("{\"bbox_2d\": [512, 0, 1030, 576]}", SENT).box().orElseThrow();

        assertThat(box.x() + box.width()).isEqualTo(1.0);
        assertThat(box.height()).isEqualTo(1.0);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"bbox_2d\": [300, 200, 300, 400]}        | no area",
            "{\"bbox_2d\": [500, 400, 100, 200]}        | reversed corners",
            "[10, 10, 1500, 400]                         | beyond the image",
            "{\"bbox_2d\": [-5, 10, 200, 300]}          | negative",
            "<box>(100,100),(101,900)</box>              | degenerate",
            "I cannot see a cup in this image.           | no bounding box",
            "EMPTY                                       | the answer is empty"})
    void refusesBoxesThatCannotBeDrawnWithTheReason(String answer, String reason) {
        ParsedBox parsed = VlmResponseParser.parseBox(answer.equals("EMPTY") ? "  " : answer, SENT);

        assertThat(parsed.box()).as(parsed.reason()).isEmpty();
        assertThat(parsed.reason()).contains(reason);
    }

    @Test
    void pixelBoxesNeedTheSizeOfTheImageSent() {
        assertThat(VlmResponseParser.parseBox("{\"bbox_2d\": [10, 10, 200, 300]}", null, BoxUnits.PIXELS).reason())
                .contains("size of the image sent is unknown");
        assertThat(VlmResponseParser.parseBox("{\"bbox_2d\": [10, 10, 200, 300]}", null).box().orElseThrow().width())
                .as("without a size, numbers above 1 are read as 0-1000").isCloseTo(0.19, within(1e-9));
        assertThat(VlmResponseParser.parseBox(null, SENT).box()).isEmpty();
    }
}
