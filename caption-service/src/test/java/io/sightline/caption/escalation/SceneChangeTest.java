package io.sightline.caption.escalation;

import io.sightline.common.event.DetectionsProduced.Box;
import io.sightline.common.event.DetectionsProduced.Detection;
import io.sightline.common.event.DetectionsProduced.RecognizedText;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SceneChangeTest {

    private static final EscalationRules RULES = new EscalationRules(true, Duration.ofMinutes(10), 0.2, 0.25, 0.45, 0, 0);

    @Test
    void namesTheFirstMeaningChangeAndIgnoresFlickerBelowTheScore() {
        SceneSignature person = sig(List.of(det("person", 0.9, 100)), List.of());
        SceneSignature personAndFlicker = sig(List.of(det("person", 0.9, 110), det("bird", 0.3, 600)), List.of());
        assertThat(SceneChange.between(person, personAndFlicker, RULES)).isEmpty();

        assertThat(SceneChange.between(person, sig(List.of(det("person", 0.9, 100), det("cat", 0.8, 600)), List.of()), RULES))
                .contains(new SceneChange.Trigger(SceneChange.CLASS_APPEARED, "cat"));
        assertThat(SceneChange.between(person, sig(List.of(), List.of()), RULES))
                .contains(new SceneChange.Trigger(SceneChange.CLASS_LEFT, "person"));
        assertThat(SceneChange.between(person, sig(List.of(det("person", 0.9, 100), det("person", 0.8, 900)), List.of()), RULES))
                .contains(new SceneChange.Trigger(SceneChange.COUNT_CHANGED, "person 1 -> 2"));
        assertThat(SceneChange.between(person, sig(List.of(det("person", 0.9, 800)), List.of()), RULES))
                .map(SceneChange.Trigger::code).contains(SceneChange.MOVED);
    }

    @Test
    void anObjectScoringALittleLowerHasNotLeftAndOneScoringALittleHigherHasNotAppeared() {
        SceneSignature cup = sig(List.of(det("cup", 0.5, 900)), List.of());
        SceneSignature weakCup = sig(List.of(det("cup", 0.4, 900)), List.of());
        assertThat(SceneChange.between(cup, weakCup, RULES)).as("0.5 -> 0.4").isEmpty();
        assertThat(SceneChange.between(weakCup, cup, RULES)).as("0.4 -> 0.5").isEmpty();
        assertThat(SceneChange.between(cup, sig(List.of(), List.of()), RULES)).map(SceneChange.Trigger::code)
                .contains(SceneChange.CLASS_LEFT);
    }

    @Test
    void textChangesCountByShareOfCharactersNotByOcrNoise() {
        SceneSignature a = sig(List.of(), List.of(text("Invoice 2041 - due 12 May")));
        assertThat(SceneChange.between(a, sig(List.of(), List.of(text("invoice 2041 due 12 may"))), RULES)).isEmpty();
        assertThat(SceneChange.between(a, sig(List.of(), List.of(text("Invoice 2O41 - due 12 Mav"))), RULES))
                .as("two misread characters").isEmpty();
        assertThat(SceneChange.between(a, sig(List.of(), List.of(text("Meeting room booked"))), RULES))
                .map(SceneChange.Trigger::code).contains(SceneChange.TEXT_CHANGED);
    }

    private static SceneSignature sig(List<Detection> d, List<RecognizedText> t) {
        return SceneSignature.of(d, t, 1280, 720, RULES.minScore(), 0.1);
    }

    private static Detection det(String label, double score, double x) {
        return new Detection(label, score, new Box(x, 200, 200, 400));
    }

    private static RecognizedText text(String s) {
        return new RecognizedText(s, 0.9, new Box(0, 0, 100, 20));
    }
}
