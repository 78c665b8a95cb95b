package io.sightline.history.episode;

import io.sightline.common.event.DetectionsProduced;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Turns the detections of a camera, frame by frame, into episodes: an object label (or a screen's OCR
 * text) appears, the episode starts; it stays while later frames show it again within {@code gap} of
 * its last sighting; a sighting after a longer gap starts a new episode. A changed OCR text is a new
 * text episode. Frames of a camera arrive in order (one partition per camera); a late frame within the
 * gap of an open episode joins it. Not thread-safe: one ingest thread owns it. The open episodes are a
 * cache of the database's newest episode per key ({@link Loader}); {@link #clear()} after a rollback.
 */
public final class EpisodeTracker {

    public static final String OBJECT = "object";
    public static final String TEXT = "text";
    private static final int MAX_OPEN = 8192;

    /** What an episode is about: camera plus object label, or camera plus the text read. */
    public record Key(String camera, String kind, String label, String text) {
    }

    /** Reads the newest stored episode of a key (after a restart or a cache miss). */
    public interface Loader {
        Optional<Episode> latest(Key key);
    }

    /** Gives ids to new episodes (the database sequence). */
    public interface Ids {
        long next();
    }

    /** One episode as it is being built; the writer stores it whole after each batch. */
    public static final class Episode {
        final Key key;
        long id;
        long startAt;
        long endAt;
        int frames;
        UUID peakFrameId;
        double peakScore;
        int peakCount;

        public Episode(Key key, long id, long startAt, long endAt, int frames, UUID peakFrameId, double peakScore, int peakCount) {
            this.key = key;
            this.id = id;
            this.startAt = startAt;
            this.endAt = endAt;
            this.frames = frames;
            this.peakFrameId = peakFrameId;
            this.peakScore = peakScore;
            this.peakCount = peakCount;
        }

        public Key key() { return key; }
        public long id() { return id; }
        public long startAt() { return startAt; }
        public long endAt() { return endAt; }
        public int frames() { return frames; }
        public UUID peakFrameId() { return peakFrameId; }
        public double peakScore() { return peakScore; }
        public int peakCount() { return peakCount; }
    }

    private final long gapMs;
    private final double minScore;
    private final Map<Key, Episode> open = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Episode> eldest) {
            return size() > MAX_OPEN;
        }
    };

    public EpisodeTracker(Duration gap, double minScore) {
        this.gapMs = gap.toMillis();
        this.minScore = minScore;
    }

    /** Applies one frame's detections; returns the episodes it started or extended (to be stored). */
    public List<Episode> apply(DetectionsProduced frame, Loader loader, Ids ids) {
        UUID frameId = UUID.fromString(frame.frameId());
        long at = frame.capturedAt();
        Map<String, List<DetectionsProduced.Detection>> byLabel = frame.detections().stream()
                .filter(d -> d.label() != null && !d.label().isBlank() && d.score() >= minScore)
                .collect(Collectors.groupingBy(d -> d.label().trim().toLowerCase(Locale.ROOT), LinkedHashMap::new, Collectors.toList()));
        List<Episode> touched = new ArrayList<>();
        for (Map.Entry<String, List<DetectionsProduced.Detection>> e : byLabel.entrySet()) {
            double best = e.getValue().stream().mapToDouble(DetectionsProduced.Detection::score).max().orElse(0);
            touched.add(sighting(new Key(frame.camera(), OBJECT, e.getKey(), null), at, frameId, best, e.getValue().size(), loader, ids));
        }
        String text = textOf(frame);
        if (!text.isEmpty()) {
            double best = frame.texts().stream().mapToDouble(DetectionsProduced.RecognizedText::score).max().orElse(0);
            touched.add(sighting(new Key(frame.camera(), TEXT, TEXT, text), at, frameId, best, frame.texts().size(), loader, ids));
        }
        return touched;
    }

    public void clear() {
        open.clear();
    }

    /** The lines read from a frame, normalised (trimmed, single spaces, lower case) and joined: the text episode's identity. */
    static String textOf(DetectionsProduced frame) {
        Set<String> lines = new LinkedHashSet<>();
        for (DetectionsProduced.RecognizedText t : frame.texts()) {
            if (t.text() != null && t.score() >= minTextScore()) {
                String line = t.text().trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
                if (!line.isEmpty()) {
                    lines.add(line);
                }
            }
        }
        return String.join(" | ", lines);
    }

    private static double minTextScore() {
        return 0.5;
    }

    private Episode sighting(Key key, long at, UUID frameId, double score, int count, Loader loader, Ids ids) {
        Episode episode = open.get(key);
        if (episode == null) {
            episode = loader.latest(key).orElse(null);
        }
        if (episode != null && at <= episode.endAt + gapMs && at >= episode.startAt - gapMs) {
            episode.startAt = Math.min(episode.startAt, at);
            episode.endAt = Math.max(episode.endAt, at);
            episode.frames++;
            if (score > episode.peakScore) {
                episode.peakScore = score;
                episode.peakFrameId = frameId;
            }
            episode.peakCount = Math.max(episode.peakCount, count);
        } else if (episode != null && at < episode.startAt) {
            // a late frame from before the newest episode and outside its gap: an episode of its own, not cached
            return new Episode(key, ids.next(), at, at, 1, frameId, score, count);
        } else {
            episode = new Episode(key, ids.next(), at, at, 1, frameId, score, count);
        }
        open.put(key, episode);
        return episode;
    }
}
