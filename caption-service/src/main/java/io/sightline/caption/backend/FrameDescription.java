package io.sightline.caption.backend;

import io.sightline.common.event.DetectionsProduced;

import java.util.List;

/**
 * What a tier said about a frame: the text (empty for the {@code none} tier), the model that said it,
 * and objects/text lines when the tier detects them (onnx, labels).
 */
public record FrameDescription(
        String text,
        String model,
        List<DetectionsProduced.Detection> detections,
        List<DetectionsProduced.RecognizedText> texts) {

    public FrameDescription {
        detections = detections == null ? List.of() : List.copyOf(detections);
        texts = texts == null ? List.of() : List.copyOf(texts);
    }

    public static FrameDescription text(String text, String model) {
        return new FrameDescription(text, model, List.of(), List.of());
    }
}
