package io.sightline.caption.backend.onnx;

import io.sightline.common.event.DetectionsProduced;

import java.util.List;

/**
 * What the onnx tier found in one image: objects (plain-word labels, best first), text lines in
 * reading order (top to bottom, left to right), and the time spent on each stage.
 */
public record SceneAnalysis(List<DetectionsProduced.Detection> objects,
                            List<DetectionsProduced.RecognizedText> texts,
                            long detectMs,
                            long ocrMs) {

    public SceneAnalysis {
        objects = objects == null ? List.of() : List.copyOf(objects);
        texts = texts == null ? List.of() : List.copyOf(texts);
    }
}
