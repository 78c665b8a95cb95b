package io.sightline.latest;

import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.frame.CapturedFrame;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * One consistent look at what is known of a camera: the frame within its TTL (re-encoded JPEG), when
 * the newest frame was captured even if it has expired since, and the latest caption and detections.
 */
public record CameraView(
        String camera,
        Optional<CapturedFrame> frame,
        OptionalLong lastFrameCapturedAt,
        Optional<CaptionProduced> caption,
        Optional<DetectionsProduced> detections,
        long updatedAt) {
}
