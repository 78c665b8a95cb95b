package io.sightline.common.event;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.List;

/**
 * Value on {@code detections} (key: camera). Objects found in one frame, with boxes in pixels of the
 * frame as published ({@code width} x {@code height}), and text lines read from it.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record DetectionsProduced(
        int schema,
        String frameId,
        String camera,
        long capturedAt,
        int width,
        int height,
        String model,
        List<Detection> detections,
        List<RecognizedText> texts) {

    public static final int SCHEMA = 1;

    public DetectionsProduced {
        detections = detections == null ? List.of() : List.copyOf(detections);
        texts = texts == null ? List.of() : List.copyOf(texts);
    }

    /** One detected object: plain-word label (e.g. "motorcycle", not "motorbike"), score in [0,1]. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Detection(String label, double score, Box box) {
    }

    /** One line of text read from the frame. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RecognizedText(String text, double score, Box box) {
    }

    /** Axis-aligned box in frame pixels: top-left corner plus size. */
    public record Box(double x, double y, double width, double height) {
    }
}
