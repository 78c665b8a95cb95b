package io.sightline.common.vlm.parse;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever a model (or a broken proxy) sends, the parser answers and never throws. */
class VlmResponseParserPropertyTest {

    private static final String ACTION = """
            ```json
            {"Reasoning": "The {submit} button \\"OK\\" is visible", "Next Action": "left_click", "Status": "IN_PROGRESS",
             "Box ID": 7, "coordinate": [412, 873], "value": "", "UI_Elements": [{"id": 7, "text": "OK"}]}
            ```""";
    private static final String VERDICT = "Verdict: {\"condition_met\": true, \"next_run_in\": 42, \"reasoning\": \"a {car} is \\\"here\\\"\","
            + " \"notification_message\": \"Car in the driveway\"} trailing prose";

    @Provide
    Arbitrary<String> modelish() {
        Arbitrary<String> tokens = Arbitraries.of("{", "}", "\"", "\\", "```", "```json\n", ":", ",", "[", "]", "<point>", "</point>",
                "DONE", "TYPE:", "type ", "scroll down", "condition_met", "next_run_in", "true", "123", "1000", " ", "\n",
                "Next Action", "Box ID", "'", "\u201c", "null", "-", ".5", "e9");
        return Combinators.combine(tokens.list().ofMaxSize(60), Arbitraries.strings().ofMaxLength(30))
                .as((parts, noise) -> String.join("", parts) + noise);
    }

    @Property(tries = 300)
    void neverThrowsOnRandomText(@ForAll @StringLength(max = 400) String text) {
        everyParserAnswers(text);
    }

    @Property(tries = 300)
    void neverThrowsOnModelLikeTokenSoup(@ForAll("modelish") String text) {
        everyParserAnswers(text);
    }

    @Property(tries = 300)
    void neverThrowsOnTruncatedAnswersAndNeverInventsAVerdict(@ForAll @IntRange(min = 0, max = 400) int cut) {
        String action = ACTION.substring(0, Math.min(cut, ACTION.length()));
        String verdict = VERDICT.substring(0, Math.min(cut, VERDICT.length()));
        everyParserAnswers(action);
        everyParserAnswers(verdict);

        WatchVerdict parsed = VlmResponseParser.parseWatchVerdict(verdict);
        if (parsed.conditionMet()) {
            assertThat(verdict).contains("condition_met\": true");
        }
        ParsedAction parsedAction = VlmResponseParser.parseAction(action);
        if (parsedAction.hasAction()) {
            assertThat(parsedAction.action()).isEqualTo("left_click");
        }
    }

    @Property(tries = 200)
    void findsAnObjectEmbeddedInArbitraryProse(@ForAll @StringLength(max = 80) String before, @ForAll @StringLength(max = 80) String after,
                                              @ForAll @IntRange(min = 0, max = 1000) int value) {
        String prose = before.replace("{", "(").replace("}", ")").replace("`", "'").replace("\"", "'");
        String json = "{\"value\": " + value + ", \"note\": \"braces } { inside\"}";

        var found = VlmResponseParser.extractJson(prose + json + after.replace("`", "'"));

        assertThat(found).isNotNull();
        assertThat(found.path("value").asInt()).isEqualTo(value);
    }

    @Property(tries = 200)
    void pointsStayOnTheScreen(@ForAll @IntRange(min = 0, max = 1000) int x, @ForAll @IntRange(min = 0, max = 1000) int y,
                               @ForAll @IntRange(min = 1, max = 5000) int width, @ForAll @IntRange(min = 1, max = 5000) int height) {
        PointCommand command = VlmResponseParser.parsePoint("<point>" + x + "," + y + "</point>", new ScreenSize(width, height));

        assertThat(command.kind()).isEqualTo(PointCommand.Kind.CLICK);
        ScreenPoint p = command.point().orElseThrow();
        assertThat(p.x()).isBetween(0, width - 1);
        assertThat(p.y()).isBetween(0, height - 1);
    }

    private static void everyParserAnswers(String text) {
        VlmResponseParser.extractJson(text);
        ParsedAction action = VlmResponseParser.parseAction(text);
        assertThat(action).isNotNull();
        assertThat(action.parsed() || !action.failure().isBlank()).isTrue();
        PointCommand point = VlmResponseParser.parsePoint(text, new ScreenSize(1280, 720));
        assertThat(point).isNotNull();
        point.point().ifPresent(p -> assertThat(p.x()).isBetween(0, 1279));
        WatchVerdict verdict = VlmResponseParser.parseWatchVerdict(text);
        assertThat(verdict.nextRunIn()).isBetween(1, 300);
        assertThat(verdict.parsed() || !verdict.error().isBlank()).isTrue();
    }
}
