package io.sightline.caption.backend.onnx;

/**
 * How the onnx tier runs.
 *
 * @param intraOpThreads  threads ONNX Runtime uses inside one inference (1 is best for throughput)
 * @param sessions        inferences that may run at once, on one shared set of sessions (two 1-thread
 *                        callers beat one 2-thread session on throughput)
 * @param scoreThreshold  minimum objectness x class score for a detected object
 * @param nmsIou          IoU above which a weaker box of the same class is suppressed
 * @param ocr             whether {@link OnnxSceneAnalyzer#analyze} also reads text (loads PaddleOCR)
 * @param maxOcrLines     at most this many text lines are recognised per image, in reading order
 */
public record OnnxOptions(int intraOpThreads, int sessions, float scoreThreshold, float nmsIou, boolean ocr,
                          int maxOcrLines) {

    public OnnxOptions {
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("intraOpThreads must be >= 1, was " + intraOpThreads);
        }
        if (sessions < 1) {
            throw new IllegalArgumentException("sessions must be >= 1, was " + sessions);
        }
        if (!(scoreThreshold > 0 && scoreThreshold <= 1)) {
            throw new IllegalArgumentException("scoreThreshold must be in (0, 1], was " + scoreThreshold);
        }
        if (!(nmsIou > 0 && nmsIou <= 1)) {
            throw new IllegalArgumentException("nmsIou must be in (0, 1], was " + nmsIou);
        }
        if (maxOcrLines < 0) {
            throw new IllegalArgumentException("maxOcrLines must be >= 0, was " + maxOcrLines);
        }
    }

    /**
     * One intra-op thread per session, one session per two cores (at least 1, at most 4), score 0.45 (below it YOLOX-Nano
     * sees birds in handwriting),
     * NMS IoU 0.45, OCR on, up to 20 text lines.
     */
    public static OnnxOptions defaults() {
        int sessions = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        return new OnnxOptions(1, sessions, 0.45f, 0.45f, true, 20);
    }
}
