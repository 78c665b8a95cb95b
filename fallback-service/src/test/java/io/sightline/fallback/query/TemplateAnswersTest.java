package io.sightline.fallback.query;

import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.latest.CameraView;
import io.sightline.fallback.classify.QueryIntent;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class TemplateAnswersTest {

    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final long CAPTURED = LocalDateTime.of(2025, 6, 1, 12, 3, 4).atZone(ZONE).toInstant().toEpochMilli();
    private static final long NOW = CAPTURED + 3_000;

    private final TemplateAnswers templates = new TemplateAnswers(new EvidenceClock(ZONE), 300_000, 300_000);

    private static CameraView view(List<String> labels, List<String> texts, String caption) {
        DetectionsProduced detections = new DetectionsProduced(1, "frame-1", "front-door", CAPTURED, 1280, 720, "yolox",
                labels.stream().map(l -> new DetectionsProduced.Detection(l, 0.8, new DetectionsProduced.Box(0, 0, 1, 1))).toList(),
                texts.stream().map(t -> new DetectionsProduced.RecognizedText(t, 0.9, new DetectionsProduced.Box(0, 0, 1, 1))).toList());
        Optional<CaptionProduced> c = Optional.ofNullable(caption)
                .map(t -> new CaptionProduced(1, "frame-1", "front-door", CAPTURED, CAPTURED, "onnx", "m", t, 10, List.of()));
        return new CameraView("front-door", Optional.empty(), OptionalLong.empty(), c, Optional.of(detections), CAPTURED);
    }

    private String text(StateAnswer answer) {
        assertThat(answer).isInstanceOf(StateAnswer.Answered.class);
        return ((StateAnswer.Answered) answer).text();
    }

    @Test
    void countsTheAskedObjectsAndSaysHowOldTheEvidenceIs() {
        CameraView view = view(List.of("person", "person", "car"), List.of(), null);
        assertThat(text(templates.answer(QueryIntent.COUNT_OBJECTS, "How many people are there?", view, NOW)))
                .isEqualTo("2 people are visible on front-door, as of 12:03:04, 3 s ago.");
        assertThat(text(templates.answer(QueryIntent.COUNT_OBJECTS, "how many dogs?", view, NOW)))
                .isEqualTo("No dogs are detected on front-door, as of 12:03:04, 3 s ago.");
        assertThat(text(templates.answer(QueryIntent.COUNT_OBJECTS, "how many vehicles are parked outside?", view, NOW)))
                .startsWith("1 car is visible on front-door");
        assertThat(text(templates.answer(QueryIntent.COUNT_OBJECTS, "how many objects are detected?", view, NOW)))
                .startsWith("2 people and 1 car are visible");
    }

    @Test
    void answersPresenceWithYesOrNo() {
        CameraView view = view(List.of("motorbike", "person"), List.of(), null);
        assertThat(text(templates.answer(QueryIntent.PRESENCE, "Is anyone at the door?", view, NOW)))
                .startsWith("Yes: 1 person is visible on front-door, as of 12:03:04");
        assertThat(text(templates.answer(QueryIntent.PRESENCE, "is there a motorcycle?", view, NOW)))
                .startsWith("Yes: 1 motorcycle is visible");
        assertThat(text(templates.answer(QueryIntent.PRESENCE, "do you see a cat?", view, NOW)))
                .startsWith("No: no cat is detected on front-door");
    }

    @Test
    void sendsThingsTheDetectorCannotSeeToTheVlm() {
        CameraView view = view(List.of("person"), List.of(), null);
        assertThat(templates.answer(QueryIntent.PRESENCE, "is there a package on the doorstep?", view, NOW))
                .isEqualTo(new StateAnswer.Unanswerable("the detector does not report 'package'"));
        assertThat(templates.answer(QueryIntent.WHAT_CHANGED, "what changed?", view, NOW))
                .isInstanceOf(StateAnswer.Unanswerable.class);
    }

    @Test
    void staleEvidenceIsNotUsed() {
        CameraView view = view(List.of("person"), List.of(), "a man at the door");
        long later = CAPTURED + 301_000;
        assertThat(templates.answer(QueryIntent.COUNT_OBJECTS, "how many people?", view, later))
                .isInstanceOf(StateAnswer.Unanswerable.class);
        assertThat(templates.answer(QueryIntent.DESCRIBE_SCENE, "what do you see?", view, later))
                .isInstanceOf(StateAnswer.Unanswerable.class);
    }

    @Test
    void describesFromTheCaptionAndReadsText() {
        CameraView view = view(List.of("person"), List.of("EXIT", "Open 9-5"), "a man stands by a door");
        assertThat(text(templates.answer(QueryIntent.DESCRIBE_SCENE, "describe the scene", view, NOW)))
                .isEqualTo("On front-door, as of 12:03:04, 3 s ago: A man stands by a door. Detected: 1 person.");
        assertThat(text(templates.answer(QueryIntent.READ_TEXT, "what does the sign say?", view, NOW)))
                .isEqualTo("Text read on front-door, as of 12:03:04, 3 s ago: \"EXIT\", \"Open 9-5\".");
    }

    @Test
    void statusSaysWhenTheLastFrameArrived() {
        CameraView view = new CameraView("front-door", Optional.empty(), OptionalLong.of(CAPTURED - 600_000),
                Optional.empty(), Optional.empty(), CAPTURED);
        assertThat(text(templates.answer(QueryIntent.STATUS, "is the camera online?", view, NOW)))
                .contains("no current frame", "11:53:04", "10 min 3 s ago", "older than the 5 min frame TTL");
    }

    @Test
    void agesReadNaturally() {
        assertThat(EvidenceClock.age(3_400)).isEqualTo("3 s");
        assertThat(EvidenceClock.age(125_000)).isEqualTo("2 min 5 s");
        assertThat(EvidenceClock.age(7_500_000)).isEqualTo("2 h 5 min");
        assertThat(EvidenceClock.age(-50)).isEqualTo("0 s");
    }
}
