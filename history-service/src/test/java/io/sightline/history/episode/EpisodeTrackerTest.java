package io.sightline.history.episode;

import io.sightline.common.event.DetectionsProduced;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class EpisodeTrackerTest {

    private final EpisodeTracker tracker = new EpisodeTracker(Duration.ofSeconds(5), 0.3);
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, EpisodeTracker.Episode> stored = new LinkedHashMap<>();

    @Test
    void aCarThatStaysWithShortGapsIsOneEpisodeAndALaterOneIsAnother() {
        long t0 = 1_767_000_000_000L;
        frame(t0, det("car", 0.6));
        frame(t0 + 1000, det("car", 0.9), det("car", 0.5));   // peak score and two cars
        frame(t0 + 2000);                                      // nothing for a moment
        frame(t0 + 6000, det("car", 0.7));                     // 5 s after the last sighting: still the same
        frame(t0 + 20_000, det("car", 0.8));                   // 14 s later: a new car
        frame(t0 + 20_500, det("person", 0.95), det("car", 0.2)); // low-score car ignored

        List<EpisodeTracker.Episode> cars = stored.values().stream().filter(e -> e.key().label().equals("car")).toList();
        assertThat(cars).hasSize(2);
        EpisodeTracker.Episode first = cars.get(0);
        assertThat(first.startAt()).isEqualTo(t0);
        assertThat(first.endAt()).isEqualTo(t0 + 6000);
        assertThat(first.frames()).isEqualTo(3);
        assertThat(first.peakScore()).isEqualTo(0.9);
        assertThat(first.peakCount()).isEqualTo(2);
        assertThat(cars.get(1).startAt()).isEqualTo(t0 + 20_000);
        assertThat(cars.get(1).endAt()).isEqualTo(t0 + 20_000);
        assertThat(stored.values()).filteredOn(e -> e.key().label().equals("person")).hasSize(1);
    }

    @Test
    void aChangedScreenTextIsANewTextEpisodeAndTheSameTextContinues() {
        long t0 = 1_767_000_000_000L;
        frame(t0, List.of(), List.of(text("Build passed")));
        frame(t0 + 1000, List.of(), List.of(text("build  PASSED ")));
        frame(t0 + 2000, List.of(), List.of(text("Build failed")));

        List<EpisodeTracker.Episode> texts = stored.values().stream().filter(e -> e.key().kind().equals(EpisodeTracker.TEXT)).toList();
        assertThat(texts).extracting(e -> e.key().text()).containsExactly("build passed", "build failed");
        assertThat(texts.get(0).frames()).isEqualTo(2);
    }

    @Test
    void anEpisodeContinuesFromTheStoredOneAfterTheCacheIsCleared() {
        long t0 = 1_767_000_000_000L;
        frame(t0, det("cat", 0.8));
        tracker.clear(); // e.g. after a rollback or a restart: the loader supplies the stored episode
        frame(t0 + 3000, det("cat", 0.9));
        assertThat(stored).hasSize(1);
        assertThat(stored.values().iterator().next().frames()).isEqualTo(2);
    }

    private void frame(long at, DetectionsProduced.Detection... detections) {
        frame(at, List.of(detections), List.of());
    }

    private void frame(long at, List<DetectionsProduced.Detection> detections, List<DetectionsProduced.RecognizedText> texts) {
        DetectionsProduced d = new DetectionsProduced(1, UUID.randomUUID().toString(), "door", at, 640, 480, "yolox-nano",
                detections, texts);
        Map<EpisodeTracker.Key, EpisodeTracker.Episode> latest = new HashMap<>();
        for (EpisodeTracker.Episode e : stored.values()) {
            latest.merge(e.key(), e, (a, b) -> a.endAt() >= b.endAt() ? a : b);
        }
        for (EpisodeTracker.Episode e : tracker.apply(d, key -> Optional.ofNullable(latest.get(key)).map(EpisodeTrackerTest::copy),
                ids::incrementAndGet)) {
            stored.put(e.id(), copy(e));
        }
    }

    private static EpisodeTracker.Episode copy(EpisodeTracker.Episode e) {
        return new EpisodeTracker.Episode(e.key(), e.id(), e.startAt(), e.endAt(), e.frames(), e.peakFrameId(), e.peakScore(), e.peakCount());
    }

    private static DetectionsProduced.Detection det(String label, double score) {
        return new DetectionsProduced.Detection(label, score, new DetectionsProduced.Box(1, 1, 10, 10));
    }

    private static DetectionsProduced.RecognizedText text(String t) {
        return new DetectionsProduced.RecognizedText(t, 0.9, new DetectionsProduced.Box(1, 1, 10, 10));
    }

}
