package io.sightline.caption.backend.onnx;

/**
 * What PP-OCR's text detector has run: the cheap half-resolution passes that look for text, the full-resolution
 * passes over the regions they marked, the full-resolution passes over a whole frame, and the input pixels of all
 * of them (the detector's cost is about proportional to its pixels).
 */
public record TextDetectionCounts(long coarsePasses, long regionPasses, long wholeFramePasses, long pixels) {
}
