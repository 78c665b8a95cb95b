package io.sightline.watch;

import io.sightline.common.event.DetectionsProduced;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which detections concern a job: label among the job's labels (any label when it names none) and box
 * centre inside one of its zones (anywhere when it names none). Labels compare case-insensitively.
 */
record DetectionFilter(Set<String> labels, List<Zone> zones) {

    static DetectionFilter of(WatchJob job) {
        return new DetectionFilter(
                job.labels().stream().map(l -> l.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()),
                job.zones());
    }

    boolean hasZones() {
        return !zones.isEmpty();
    }

    /** Whether any detection of the event matches. Events without a frame size cannot be placed in zones. */
    boolean matches(DetectionsProduced event) {
        for (DetectionsProduced.Detection d : event.detections()) {
            if (matches(d, event.width(), event.height())) {
                return true;
            }
        }
        return false;
    }

    boolean matches(DetectionsProduced.Detection detection, int frameWidth, int frameHeight) {
        if (!labels.isEmpty() && (detection.label() == null || !labels.contains(detection.label().trim().toLowerCase(Locale.ROOT)))) {
            return false;
        }
        if (zones.isEmpty()) {
            return true;
        }
        if (detection.box() == null || frameWidth <= 0 || frameHeight <= 0) {
            return false;
        }
        double cx = (detection.box().x() + detection.box().width() / 2) / frameWidth;
        double cy = (detection.box().y() + detection.box().height() / 2) / frameHeight;
        return zones.stream().anyMatch(z -> z.contains(cx, cy));
    }
}
