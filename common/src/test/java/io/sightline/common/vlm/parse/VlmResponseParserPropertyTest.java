package io.sightline.common.vlm.parse;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a model (or a broken proxy) sends, the parser answers and never throws. Seeded fuzzing:
 * each property runs over a few hundred generated inputs; a failure names its seed and case so it
 * can be replayed.
 */
class VlmResponseParserPropertyTest {

    private static final long SEED = 20261121L;
    private static final String ACTION = """
            ```json
            {"Reasoning": "The {submit} button \\"OK\\" is visible", "Next Action": "left_click", "Status": "IN_PROGRESS",
             "Box ID": 7, "coordinate": [412, 873], "value": "", "UI_Elements": [{"id": 7, "text": "OK"}]}
            ```""";
    private static final String VERDICT = "Verdict: {\"condition_met\": true, \"next_run_in\": 42, \"reasoning\": \"a {car} is \\\"here\\\"\","
            + " \"notification_message\": \"Car in the driveway\"} trailing prose";
    private static final List<String> TOKENS = List.of("{", "}", "\"", "\\", "```", "```json\n", ":", ",", "[", "]", "<point>",
            "</point>", "DONE", "TYPE:", "type ", "scroll down", "condition_met", "next_run_in", "true", "123", "1000", " ", "\n",
            "Next Action", "Box ID", "'", "\u201c", "null", "-", ".5", "e9");

    @Test
    void neverThrowsOnRandomText() {
        forEachCase(300, random -> everyParserAnswers(randomText(random, 400)));
    }

    @Test
    void neverThrowsOnModelLikeTokenSoup() {
        forEachCase(300, random -> {
            StringBuilder text = new StringBuilder();
            int parts = random.nextInt(61);
            for (int i = 0; i < parts; i++) {
                text.append(TOKENS.get(random.nextInt(TOKENS.size())));
            }
            everyParserAnswers(text + randomText(random, 30));
        });
    }

    @Test
    void neverThrowsOnTruncatedAnswersAndNeverInventsAVerdict() {
        for (int cut = 0; cut <= Math.max(ACTION.length(), VERDICT.length()); cut++) {
            String action = ACTION.substring(0, Math.min(cut, ACTION.length()));
            String verdict = VERDICT.substring(0, Math.min(cut, VERDICT.length()));
            everyParserAnswers(action);
            everyParserAnswers(verdict);

            WatchVerdict parsed = VlmResponseParser.parseWatchVerdict(verdict);
            if (parsed.conditionMet()) {
                assertThat(verdict).as("cut at %d", cut).contains("condition_met\": true");
            }
            ParsedAction parsedAction = VlmResponseParser.parseAction(action);
            if (parsedAction.hasAction()) {
                assertThat(parsedAction.action()).as("cut at %d", cut).isEqualTo("left_click");
            }
        }
    }

    @Test
    void findsAnObjectEmbeddedInArbitraryProse() {
        forEachCase(200, random -> {
            String before = randomText(random, 80);
            String after = randomText(random, 80);
            int value = random.nextInt(1001);
            String prose = before.replace("{", "(").replace("}", ")").replace("`", "'").replace("\"", "'");
            String json = "{\"value\": " + value + ", \"note\": \"braces } { inside\"}";

            var found = VlmResponseParser.extractJson(prose + json + after.replace("`", "'"));

            assertThat(found).isNotNull();
            assertThat(found.path("value").asInt()).isEqualTo(value);
        });
    }

    @Test
    void pointsStayOnTheScreen() {
        forEachCase(200, random -> {
            int x = random.nextInt(1001);
            int y = random.nextInt(1001);
            int width = 1 + random.nextInt(5000);
            int height = 1 + random.nextInt(5000);

            PointCommand command = VlmResponseParser.parsePoint("<point>" + x + "," + y + "</point>", new ScreenSize(width, height));

            assertThat(command.kind()).isEqualTo(PointCommand.Kind.CLICK);
            ScreenPoint p = command.point().orElseThrow();
            assertThat(p.x()).isBetween(0, width - 1);
            assertThat(p.y()).isBetween(0, height - 1);
        });
    }

    private static void forEachCase(int cases, Consumer<Random> property) {
        Random seeds = new Random(SEED);
        for (int i = 0; i < cases; i++) {
            long seed = seeds.nextLong();
            try {
                property.accept(new Random(seed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("case " + i + " (seed " + seed + ") failed: " + e.getMessage(), e);
            }
        }
    }

    /** Arbitrary UTF-16 text up to maxLength chars: ASCII mostly, some controls, some non-Latin and surrogates. */
    private static String randomText(Random random, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            if (kind < 7) {
                sb.append((char) (32 + random.nextInt(95)));
            } else if (kind < 8) {
                sb.append((char) random.nextInt(32));
            } else {
                sb.append((char) random.nextInt(Character.MAX_VALUE + 1));
            }
        }
        return sb.toString();
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
