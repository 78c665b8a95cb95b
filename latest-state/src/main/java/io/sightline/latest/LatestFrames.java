package io.sightline.latest;

import io.sightline.common.event.CaptionProduced;
import io.sightline.common.event.DetectionsProduced;
import io.sightline.common.frame.CapturedFrame;

import java.util.Optional;

/**
 * What the pipeline last saw of each camera: newest frame (within its TTL), newest caption and
 * detections. Fed from {@code frames}, {@code captions} and {@code detections}; read by queries
 * and watch jobs.
 */
public interface LatestFrames {

    /**
     * Newest frame of the camera, if one was captured within the TTL: re-encoded on first read as JPEG
     * (quality {@code sightline.latest-state.jpeg-quality}, longest side at most
     * {@code sightline.latest-state.max-side}); width and height are those of the re-encoded image.
     */
    Optional<CapturedFrame> frame(String camera);

    Optional<CaptionProduced> caption(String camera);

    Optional<DetectionsProduced> detections(String camera);

    /** Whether anything (frame, caption or detections) has been seen of this camera. */
    boolean knows(String camera);
}
