package io.sightline.capture.gate;

import io.sightline.capture.image.Thumbnail;

/**
 * Decides, per camera, whether a sampled frame is worth publishing: when its thumbnail differs from
 * the last published one by more than the threshold, or when the keep-alive interval has passed so
 * consumers know the camera is alive. A static scene therefore costs one frame per keep-alive.
 */
public final class ChangeGate {

    /** Why a frame was (not) let through. */
    public enum Reason { FIRST, CHANGED, KEEP_ALIVE, UNCHANGED }

    public record Decision(boolean publish, double score, Reason reason) {
    }

    private final double threshold;
    private final long keepAliveNanos;
    private final int cellThreshold;
    private Thumbnail reference;
    private long referenceAt;

    public ChangeGate(double threshold, long keepAliveNanos, int cellThreshold) {
        this.threshold = threshold;
        this.keepAliveNanos = keepAliveNanos;
        this.cellThreshold = cellThreshold;
    }

    /** Scores the thumbnail against the last published one; a publishing decision makes it the new reference. */
    public synchronized Decision decide(Thumbnail thumbnail, long nowNanos) {
        if (reference == null) {
            accept(thumbnail, nowNanos);
            return new Decision(true, 1.0, Reason.FIRST);
        }
        double score = thumbnail.changeFrom(reference, cellThreshold);
        if (score > threshold) {
            accept(thumbnail, nowNanos);
            return new Decision(true, score, Reason.CHANGED);
        }
        if (nowNanos - referenceAt >= keepAliveNanos) {
            accept(thumbnail, nowNanos);
            return new Decision(true, score, Reason.KEEP_ALIVE);
        }
        return new Decision(false, score, Reason.UNCHANGED);
    }

    /** Score only, for frames that are published regardless (pushes); they still become the reference. */
    public synchronized double scoreAndAccept(Thumbnail thumbnail, long nowNanos) {
        double score = reference == null ? 1.0 : thumbnail.changeFrom(reference, cellThreshold);
        accept(thumbnail, nowNanos);
        return score;
    }

    private void accept(Thumbnail thumbnail, long nowNanos) {
        reference = thumbnail;
        referenceAt = nowNanos;
    }
}
