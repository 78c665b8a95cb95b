package io.sightline.common.frame;

import io.sightline.common.kafka.FrameSource;

import java.util.Objects;
import java.util.UUID;

/**
 * A frame as it travels on the {@code frames} topic: encoded image bytes plus the contract headers.
 * The byte array is owned by the record; callers must not mutate it.
 */
public record CapturedFrame(
        UUID frameId,
        String camera,
        FrameSource source,
        long capturedAt,
        int width,
        int height,
        String contentType,
        long seq,
        double changeScore,
        byte[] image) {

    public static final String JPEG = "image/jpeg";
    public static final String PNG = "image/png";

    public CapturedFrame {
        Objects.requireNonNull(frameId, "frameId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(image, "image");
        if (camera == null || camera.isBlank()) {
            throw new IllegalArgumentException("camera must not be blank");
        }
        if (!JPEG.equals(contentType) && !PNG.equals(contentType)) {
            throw new IllegalArgumentException("content-type must be image/jpeg or image/png, was " + contentType);
        }
    }

    public int sizeBytes() {
        return image.length;
    }

    @Override
    public String toString() {
        return "CapturedFrame[" + frameId + " camera=" + camera + " " + width + "x" + height + " " + contentType
                + " " + image.length + "B seq=" + seq + "]";
    }
}
