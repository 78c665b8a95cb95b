package io.sightline.watch;

import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.event.DetectionsProduced.Box;
import io.sightline.common.event.DetectionsProduced.Detection;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DetectionFilterTest {

    private static final Zone LEFT_HALF = new Zone("left", 0, 0, 0.5, 1);

    private static DetectionsProduced event(Detection... detections) {
        return new DetectionsProduced(1, "f", "cam", 0, 1000, 500, "yolox", List.of(detections), List.of());
    }

    private static Detection at(String label, double cx, double cy) {
        return new Detection(label, 0.9, new Box(cx - 50, cy - 50, 100, 100));
    }

    @Test
    void withoutLabelsOrZonesAnyDetectionMatchesButAnEmptyEventDoesNot() {
        DetectionFilter filter = new DetectionFilter(Set.of(), List.of());
        assertThat(filter.matches(event(at("car", 900, 400)))).isTrue();
        assertThat(filter.matches(event())).isFalse();
    }

    @Test
    void labelsMatchCaseInsensitivelyAndOthersAreIgnored() {
        DetectionFilter filter = new DetectionFilter(Set.of("person", "dog"), List.of());
        assertThat(filter.matches(event(at("Person", 100, 100)))).isTrue();
        assertThat(filter.matches(event(at("car", 100, 100), at("cat", 10, 10)))).isFalse();
        assertThat(filter.matches(event(at("car", 100, 100), at("dog", 10, 10)))).isTrue();
    }

    @Test
    void zoneMatchesByBoxCentreInNormalisedCoordinates() {
        DetectionFilter filter = new DetectionFilter(Set.of("person"), List.of(LEFT_HALF));
        assertThat(filter.matches(event(at("person", 400, 250)))).as("centre at x=0.4").isTrue();
        assertThat(filter.matches(event(at("person", 600, 250)))).as("centre at x=0.6").isFalse();
        assertThat(filter.matches(event(at("car", 100, 250)))).as("in zone, wrong label").isFalse();
        // a box straddling the zone edge counts by its centre only
        Detection straddling = new Detection("person", 0.9, new Box(450, 0, 200, 100));
        assertThat(filter.matches(event(straddling))).as("centre at x=0.55").isFalse();
    }

    @Test
    void anyOfSeveralZonesMatches() {
        DetectionFilter filter = new DetectionFilter(Set.of(), List.of(new Zone("a", 0, 0, 0.1, 0.1), new Zone("b", 0.8, 0.8, 0.2, 0.2)));
        assertThat(filter.matches(event(at("x", 950, 475)))).isTrue();
        assertThat(filter.matches(event(at("x", 500, 250)))).isFalse();
    }

    @Test
    void zonesCannotPlaceDetectionsOfAnEventWithoutFrameSize() {
        DetectionFilter filter = new DetectionFilter(Set.of(), List.of(LEFT_HALF));
        DetectionsProduced sizeless = new DetectionsProduced(1, "f", "cam", 0, 0, 0, "m", List.of(at("x", 1, 1)), List.of());
        assertThat(filter.matches(sizeless)).isFalse();
    }

    @Test
    void zoneMustLieInsideTheFrame() {
        assertThat(new Zone(null, 0.5, 0.5, 0.5, 0.5).isInsideFrame()).isTrue();
        assertThat(new Zone(null, 0.6, 0.0, 0.5, 0.5).isInsideFrame()).isFalse();
    }
}
