package io.sightline.common.vlm.parse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class VlmResponseParserTest {

    // ---- extractJson ---------------------------------------------------------------------------

    @Test
    void prefersTheFencedJsonBlockOverObjectsInTheProse() {
        String answer = """
                I considered {"draft": true} first, but here is the answer:
                ```json
                {"answer": "two cars", "count": 2}
                ```
                Hope that helps {"not": "this"}.""";

        ObjectNode json = VlmResponseParser.extractJson(answer);

        assertThat(json.path("answer").asText()).isEqualTo("two cars");
        assertThat(json.path("count").asInt()).isEqualTo(2);
    }

    @Test
    void readsAnUnlabelledFenceAndAFenceCutOffBeforeItsEnd() {
        assertThat(VlmResponseParser.extractJson("```\n{\"a\": 1}\n```").path("a").asInt()).isEqualTo(1);
        assertThat(VlmResponseParser.extractJson("Result:\n```json\n{\"a\": 2}\n").path("a").asInt()).isEqualTo(2);
    }

    @Test
    void returnsTheOuterObjectWhenObjectsAreNested() {
        ObjectNode json = VlmResponseParser.extractJson("Answer: {\"outer\": {\"inner\": {\"deep\": 1}}, \"after\": 2} done");

        assertThat(json.has("outer")).isTrue();
        assertThat(json.path("outer").path("inner").path("deep").asInt()).isEqualTo(1);
        assertThat(json.path("after").asInt()).isEqualTo(2);
    }

    @Test
    void bracesAndEscapedQuotesInsideStringsDoNotEndTheObject() {
        String answer = "Here: {\"text\": \"a } brace and a \\\" quote {\", \"n\": 3} and trailing prose }";

        ObjectNode json = VlmResponseParser.extractJson(answer);

        assertThat(json.path("text").asText()).isEqualTo("a } brace and a \" quote {");
        assertThat(json.path("n").asInt()).isEqualTo(3);
    }

    @Test
    void takesTheFirstOfSeveralObjects() {
        assertThat(VlmResponseParser.extractJson("{\"first\": 1} and {\"second\": 2}").has("first")).isTrue();
    }

    @Test
    void skipsBracesThatAreNotJsonAndFindsTheObjectAfterThem() {
        ObjectNode json = VlmResponseParser.extractJson("In set notation {x | x > 0}. The verdict: {\"ok\": true}");

        assertThat(json.path("ok").asBoolean()).isTrue();
    }

    @Test
    void acceptsTheLooseJsonModelsWrite() {
        ObjectNode json = VlmResponseParser.extractJson("{'status': 'DONE', reasoning: 'line one\nline two', 'list': [1, 2,],}");

        assertThat(json.path("status").asText()).isEqualTo("DONE");
        assertThat(json.path("reasoning").asText()).contains("line two");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"no json here", "{\"truncated\": {\"inner\": 1", "[1, 2, 3]", "{not json at all}", "}{", "```json\n```",
            "{\"a\": 1,, \"b\"}"})
    void givesNullWhenNothingParses(String answer) {
        assertThat(VlmResponseParser.extractJson(answer)).isNull();
    }

    @Test
    void fallsBackToTheFirstAndLastBraceWhenTheWalkFindsNothing() {
        // an unbalanced quote inside the prose breaks the string-aware walk, the raw brace match still finds it
        ObjectNode json = VlmResponseParser.extractJson("He said \"look {\"a\": 1}");

        assertThat(json).isNotNull();
        assertThat(json.path("a").asInt()).isEqualTo(1);
    }

    // ---- action shape ---------------------------------------------------------------------------------

    @Test
    void normalisesAFullActionAnswer() {
        ParsedAction action = VlmResponseParser.parseAction("""
                Let me think. ```json
                {
                  "Reasoning": "The login button is visible at the top right.",
                  "Next Action": "Left Click",
                  "Status": "IN_PROGRESS",
                  "Box ID": "12",
                  "coordinate": [640, 360],
                  "value": null,
                  "UI_Elements": [{"id": 12, "label": "Login"}, {"id": 13, "label": "Help"}]
                }
                ```""");

        assertThat(action.parsed()).isTrue();
        assertThat(action.action()).isEqualTo("left_click");
        assertThat(action.status()).isEqualTo(ParsedAction.IN_PROGRESS);
        assertThat(action.reasoning()).startsWith("The login button");
        assertThat(action.boxId()).hasValue(12);
        assertThat(action.coordinate()).contains(new ScreenPoint(640, 360));
        assertThat(action.value()).isEmpty();
        assertThat(action.uiElements()).hasSize(2);
    }

    @Test
    void readsTypeActionsWithTheirValueAndVerbFirstDescriptions() {
        ParsedAction action = VlmResponseParser.parseAction(
                "{\"Next Action\": \"type, entering the user name\", \"value\": \"alice\", \"Box ID\": 4, \"coordinate\": \"(10, 20)\"}");

        assertThat(action.action()).isEqualTo("type");
        assertThat(action.value()).contains("alice");
        assertThat(action.status()).isEqualTo(ParsedAction.IN_PROGRESS);
        assertThat(action.coordinate()).contains(new ScreenPoint(10, 20));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"Next Action\": \"None\", \"Reasoning\": \"finished\"}                | none | DONE",
            "{\"Next Action\": \"DONE\"}                                              | none | DONE",
            "{\"Status\": \"completed\"}                                              | none | DONE",
            "{\"next_action\": \"scroll_down\", \"status\": \"in progress\"}          | scroll_down | IN_PROGRESS",
            "{\"action\": \"click\"}                                                  | left_click | IN_PROGRESS"})
    void normalisesActionAndStatusSpellings(String answer, String action, String status) {
        ParsedAction parsed = VlmResponseParser.parseAction(answer);

        assertThat(parsed.parsed()).isTrue();
        assertThat(parsed.action()).isEqualTo(action);
        assertThat(parsed.status()).isEqualTo(status);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"I would click the login button.", "{\"Reasoning\": \"only thoughts\"}", "{\"Next Action\": \"left_click\", \"Box"})
    void anUnreadableActionIsTheSafeDoneNoneResultWithAReason(String answer) {
        ParsedAction action = VlmResponseParser.parseAction(answer);

        assertThat(action.parsed()).isFalse();
        assertThat(action.action()).isEqualTo(ParsedAction.NONE);
        assertThat(action.isDone()).isTrue();
        assertThat(action.failure()).isNotBlank();
    }

    // ---- point shape --------------------------------------------------------------------------------

    @Test
    void scalesAPointMarkerToScreenPixels() {
        PointCommand command = VlmResponseParser.parsePoint("Click the button <point>500,250</point>", new ScreenSize(1920, 1080));

        assertThat(command.kind()).isEqualTo(PointCommand.Kind.CLICK);
        assertThat(command.point()).contains(new ScreenPoint(960, 270));
        assertThat(command.scaledToScreen()).isTrue();
    }

    @Test
    void keepsNormalisedCoordinatesWhenTheScreenSizeIsUnknownAndClampsTheFarEdge() {
        assertThat(VlmResponseParser.parsePoint("<point>123, 456</point>").point()).contains(new ScreenPoint(123, 456));
        assertThat(VlmResponseParser.parsePoint("<point>1000,1000</point>", new ScreenSize(800, 600)).point())
                .contains(new ScreenPoint(799, 599));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DONE                                          | DONE        | ",
            "The task is complete.\\nDONE                  | DONE        | ",
            "done.                                         | DONE        | ",
            "TYPE: hello world                             | TYPE        | hello world",
            "type: \"secret phrase\"                       | TYPE        | secret phrase",
            "I will type \"cats and dogs\" into the box    | TYPE        | cats and dogs",
            "Now type hunter2                              | TYPE        | hunter2",
            "Scroll down to see more                       | SCROLL_DOWN | ",
            "SCROLL_UP                                     | SCROLL_UP   | ",
            "the search box is at (300, 400)               | CLICK       | ",
            "nothing to do here                            | NONE        | ",
            "coordinates 1200, 3000                        | NONE        | ",
            "<point>1500,20</point>                        | NONE        | "})
    void recognisesEachPointAnswerShape(String answer, PointCommand.Kind kind, String text) {
        PointCommand command = VlmResponseParser.parsePoint(answer.replace("\\n", "\n"));

        assertThat(command.kind()).as(command.reason()).isEqualTo(kind);
        if (text != null) {
            assertThat(command.text()).contains(text);
        }
    }

    @Test
    void typeInProseIsNotATypeCommandWhenThereIsAPointMarker() {
        PointCommand command = VlmResponseParser.parsePoint("Click where you type the name <point>100,200</point>");

        assertThat(command.kind()).isEqualTo(PointCommand.Kind.CLICK);
        assertThat(command.point()).contains(new ScreenPoint(100, 200));
    }

    @Test
    void theNumberPairFallbackSkipsPairsOutsideTheRange() {
        PointCommand command = VlmResponseParser.parsePoint("The screen is 1920, 1080; the icon is at 250, 750.", new ScreenSize(1000, 500));

        assertThat(command.kind()).isEqualTo(PointCommand.Kind.CLICK);
        assertThat(command.point()).contains(new ScreenPoint(250, 375));
    }

    // ---- watch-job shape --------------------------------------------------------------------------------

    @Test
    void readsAWatchVerdict() {
        WatchVerdict verdict = VlmResponseParser.parseWatchVerdict("""
                ```json
                {"condition_met": true, "next_run_in": 30, "reasoning": "A parcel is on the doorstep.",
                 "notification_message": "Parcel delivered at the front door"}
                ```""");

        assertThat(verdict).isEqualTo(new WatchVerdict(true, 30, "A parcel is on the doorstep.", "Parcel delivered at the front door", true, ""));
    }

    @ParameterizedTest
    @CsvSource({"0, 1", "-5, 1", "1, 1", "300, 300", "301, 300", "100000, 300", "45.6, 46"})
    void clampsNextRunInToOneToThreeHundredSeconds(String given, int expected) {
        WatchVerdict verdict = VlmResponseParser.parseWatchVerdict("{\"condition_met\": false, \"next_run_in\": " + given + "}");

        assertThat(verdict.parsed()).isTrue();
        assertThat(verdict.nextRunIn()).isEqualTo(expected);
    }

    @Test
    void usesTheDefaultNextRunWhenTheModelLeavesItOutAndAcceptsStringBooleans() {
        WatchVerdict verdict = VlmResponseParser.parseWatchVerdict("{\"condition_met\": \"yes\", \"reasoning\": \"gate open\"}", 90);

        assertThat(verdict.conditionMet()).isTrue();
        assertThat(verdict.nextRunIn()).isEqualTo(90);
    }

    @Test
    void recoversATruncatedVerdictAndSaysSo() {
        WatchVerdict verdict = VlmResponseParser.parseWatchVerdict(
                "{\"condition_met\": True, \"next_run_in\": 15, \"reasoning\": \"Someone is at the door\", \"notification_mes");

        assertThat(verdict.parsed()).isTrue();
        assertThat(verdict.conditionMet()).isTrue();
        assertThat(verdict.nextRunIn()).isEqualTo(15);
        assertThat(verdict.reasoning()).isEqualTo("Someone is at the door");
        assertThat(verdict.error()).contains("recovered");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"The condition seems met.", "{\"next_run_in\": 10}", "{\"condition_met\": \"maybe\"}"})
    void anUnreadableVerdictIsNotMetAndSaysWhy(String answer) {
        WatchVerdict verdict = VlmResponseParser.parseWatchVerdict(answer);

        assertThat(verdict.parsed()).isFalse();
        assertThat(verdict.conditionMet()).isFalse();
        assertThat(verdict.error()).isNotBlank();
        assertThat(verdict.nextRunIn()).isEqualTo(60);
    }
}
