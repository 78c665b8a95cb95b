package io.sightline.fallback.query;

import io.sightline.common.vocabulary.ObjectVocabulary;
import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.frame.CapturedFrame;
import io.sightline.latest.CameraView;
import io.sightline.fallback.classify.QueryIntent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Answers built from the latest caption and detections of a camera, always saying how old the
 * evidence is ("2 people are visible on front-door, as of 12:03:04, 3 s ago"). Evidence older than
 * {@code stateMaxAgeMs}, or a question about something the detector does not report, is unanswerable
 * here and goes to the VLM instead.
 */
final class TemplateAnswers {

    private final EvidenceClock clock;
    private final long stateMaxAgeMs;
    private final long frameTtlMs;

    TemplateAnswers(EvidenceClock clock, long stateMaxAgeMs, long frameTtlMs) {
        this.clock = clock;
        this.stateMaxAgeMs = stateMaxAgeMs;
        this.frameTtlMs = frameTtlMs;
    }

    StateAnswer answer(QueryIntent intent, String query, CameraView view, long now) {
        return switch (intent) {
            case COUNT_OBJECTS -> count(query, view, now);
            case PRESENCE -> presence(query, view, now);
            case READ_TEXT -> readText(view, now);
            case DESCRIBE_SCENE -> describe(view, now);
            case STATUS -> status(view, now);
            case WHAT_CHANGED -> new StateAnswer.Unanswerable("what_changed needs history; the cache keeps only the latest state");
            case OTHER -> new StateAnswer.Unanswerable("the query is not one the latest caption and detections answer");
            case WHEN, COUNT_PERIOD -> new StateAnswer.Unanswerable(intent.wireName()
                    + " is about the past; the cache keeps only the latest state");
        };
    }

    /** What count and presence answers are built from: fresh detections, the asked-for object, counts per label. */
    private record DetectionEvidence(ObjectVocabulary.Target target, Map<String, Long> counts, String asOf) {
    }

    /** An answer about objects worded by {@code wording}, or why the latest detections cannot answer it. */
    private StateAnswer fromDetections(String query, CameraView view, long now, Function<DetectionEvidence, String> wording) {
        Optional<DetectionsProduced> fresh = freshDetections(view, now);
        if (fresh.isEmpty()) {
            return noFreshDetections(view, now);
        }
        DetectionsProduced d = fresh.get();
        ObjectVocabulary.Target target = ObjectVocabulary.target(query);
        if (!target.known()) {
            return new StateAnswer.Unanswerable("the detector does not report '" + target.unknownWord() + "'");
        }
        DetectionEvidence e = new DetectionEvidence(target, counts(d), clock.asOf(d.capturedAt(), now));
        return new StateAnswer.Answered(wording.apply(e), ref(d.frameId(), d.capturedAt(), now), "the latest detections");
    }

    private StateAnswer count(String query, CameraView view, long now) {
        return fromDetections(query, view, now, e -> countText(view, e));
    }

    private static String countText(CameraView view, DetectionEvidence e) {
        String text;
        if (e.target().anything()) {
            text = e.counts().isEmpty()
                    ? "Nothing is detected on " + view.camera() + ", " + e.asOf() + "."
                    : capitalise(listed(e.counts())) + " " + verb(e.counts()) + " visible on " + view.camera() + ", " + e.asOf() + ".";
        } else {
            Map<String, Long> seen = seenOf(e);
            text = seen.isEmpty()
                    ? "No " + joined(e.target().labels().stream().sorted().map(ObjectVocabulary::plural).toList(), "or")
                    + " are detected on " + view.camera() + ", " + e.asOf() + "."
                    : capitalise(listed(seen)) + " " + verb(seen) + " visible on " + view.camera() + ", " + e.asOf() + ".";
        }
        return text;
    }

    private StateAnswer presence(String query, CameraView view, long now) {
        return fromDetections(query, view, now, e -> presenceText(view, e));
    }

    private static String presenceText(CameraView view, DetectionEvidence e) {
        String text;
        if (e.target().anything()) {
            text = e.counts().isEmpty()
                    ? "No: nothing is detected on " + view.camera() + ", " + e.asOf() + "."
                    : "Yes: " + listed(e.counts()) + " " + verb(e.counts()) + " visible on " + view.camera() + ", " + e.asOf() + ".";
        } else {
            Map<String, Long> seen = seenOf(e);
            text = seen.isEmpty()
                    ? "No: no " + joined(e.target().labels().stream().sorted().toList(), "or") + " is detected on " + view.camera()
                    + ", " + e.asOf() + "."
                    : "Yes: " + listed(seen) + " " + verb(seen) + " visible on " + view.camera() + ", " + e.asOf() + ".";
        }
        return text;
    }

    /** Counts of the asked-for labels that were detected, in label order. */
    private static Map<String, Long> seenOf(DetectionEvidence e) {
        Map<String, Long> seen = new LinkedHashMap<>();
        for (String label : e.target().labels().stream().sorted().toList()) {
            long c = e.counts().getOrDefault(label, 0L);
            if (c > 0) {
                seen.put(label, c);
            }
        }
        return seen;
    }

    private StateAnswer readText(CameraView view, long now) {
        Optional<DetectionsProduced> fresh = freshDetections(view, now);
        if (fresh.isEmpty()) {
            return noFreshDetections(view, now);
        }
        DetectionsProduced d = fresh.get();
        List<String> lines = d.texts().stream().map(DetectionsProduced.RecognizedText::text)
                .filter(t -> t != null && !t.isBlank()).map(String::strip).distinct().toList();
        if (lines.isEmpty()) {
            return new StateAnswer.Unanswerable("no text was read from the latest frame");
        }
        String quoted = String.join(", ", lines.stream().map(t -> "\"" + t + "\"").toList());
        String text = "Text read on " + view.camera() + ", " + clock.asOf(d.capturedAt(), now) + ": " + quoted + ".";
        return new StateAnswer.Answered(text, ref(d.frameId(), d.capturedAt(), now), "the text read from the latest frame");
    }

    private StateAnswer describe(CameraView view, long now) {
        Optional<CaptionProduced> caption = view.caption().filter(c -> now - c.capturedAt() <= stateMaxAgeMs)
                .filter(c -> c.text() != null && !c.text().isBlank());
        if (caption.isEmpty()) {
            return new StateAnswer.Unanswerable(view.caption().isPresent()
                    ? "the latest caption is " + EvidenceClock.age(now - view.caption().get().capturedAt())
                    + " old, older than " + EvidenceClock.age(stateMaxAgeMs)
                    : "no caption of " + view.camera() + " has been seen");
        }
        CaptionProduced c = caption.get();
        StringBuilder text = new StringBuilder();
        text.append("On ").append(view.camera()).append(", ").append(clock.asOf(c.capturedAt(), now)).append(": ")
                .append(sentence(c.text().strip()));
        freshDetections(view, now).filter(d -> d.frameId() != null && d.frameId().equals(c.frameId()))
                .map(TemplateAnswers::counts).filter(m -> !m.isEmpty())
                .ifPresent(m -> text.append(" Detected: ").append(listed(m)).append('.'));
        return new StateAnswer.Answered(text.toString(), ref(c.frameId(), c.capturedAt(), now), "the latest caption");
    }

    private StateAnswer status(CameraView view, long now) {
        List<String> parts = new ArrayList<>();
        Optional<CapturedFrame> frame = view.frame();
        FrameRef evidence = null;
        if (frame.isPresent()) {
            CapturedFrame f = frame.get();
            parts.add("the latest frame was captured at " + clock.at(f.capturedAt(), now) + ", " + EvidenceClock.ago(now - f.capturedAt())
                    + " (" + f.width() + "x" + f.height() + ")");
            evidence = ref(f.frameId().toString(), f.capturedAt(), now);
        } else if (view.lastFrameCapturedAt().isPresent()) {
            long at = view.lastFrameCapturedAt().getAsLong();
            parts.add("no current frame: the last one was captured at " + clock.at(at, now) + ", " + EvidenceClock.ago(now - at)
                    + " (older than the " + EvidenceClock.age(frameTtlMs) + " frame TTL)");
        } else {
            parts.add("no frame has been received since this service started");
        }
        view.caption().ifPresent(c -> parts.add("the latest caption is from " + EvidenceClock.ago(now - c.capturedAt())
                + " (backend " + c.backend() + ")"));
        view.detections().ifPresent(d -> parts.add("the latest detections are from " + EvidenceClock.ago(now - d.capturedAt())));
        String text = "Camera " + view.camera() + ": " + String.join("; ", parts) + ".";
        return new StateAnswer.Answered(text, evidence, "the cache's record of " + view.camera());
    }

    private Optional<DetectionsProduced> freshDetections(CameraView view, long now) {
        return view.detections().filter(d -> now - d.capturedAt() <= stateMaxAgeMs);
    }

    private StateAnswer noFreshDetections(CameraView view, long now) {
        return new StateAnswer.Unanswerable(view.detections().isPresent()
                ? "the latest detections are " + EvidenceClock.age(now - view.detections().get().capturedAt())
                + " old, older than " + EvidenceClock.age(stateMaxAgeMs)
                : "no detections of " + view.camera() + " have been seen");
    }

    private static Map<String, Long> counts(DetectionsProduced d) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (DetectionsProduced.Detection detection : d.detections()) {
            String label = ObjectVocabulary.canonical(detection.label()).orElse(detection.label().toLowerCase(java.util.Locale.ROOT));
            counts.merge(label, 1L, Long::sum);
        }
        // most frequent first, then by name
        Map<String, Long> ordered = new LinkedHashMap<>();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> ordered.put(e.getKey(), e.getValue()));
        return ordered;
    }

    /** "2 people, 1 dog and 3 cars" */
    private static String listed(Map<String, Long> counts) {
        List<String> items = counts.entrySet().stream().map(e -> ObjectVocabulary.counted(e.getKey(), e.getValue())).toList();
        return joined(items, "and");
    }

    private static String verb(Map<String, Long> counts) {
        return counts.size() == 1 && counts.values().iterator().next() == 1 ? "is" : "are";
    }

    /** "a, b and c" / "a, b or c" */
    private static String joined(List<String> items, String conjunction) {
        if (items.size() <= 1) {
            return String.join("", items);
        }
        return String.join(", ", items.subList(0, items.size() - 1)) + " " + conjunction + " " + items.get(items.size() - 1);
    }

    private static FrameRef ref(String frameId, long capturedAt, long now) {
        return new FrameRef(frameId, capturedAt, Math.max(0, now - capturedAt));
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String sentence(String s) {
        String c = capitalise(s);
        return c.endsWith(".") || c.endsWith("!") || c.endsWith("?") ? c : c + ".";
    }
}
