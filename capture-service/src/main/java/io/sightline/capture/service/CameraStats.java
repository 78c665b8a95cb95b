package io.sightline.capture.service;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters and state of one camera, shown by the camera API, readiness and metrics. */
public final class CameraStats {

    /** UNAUTHORIZED: the source refused the camera's credentials on the latest attempt (retried with backoff). */
    public enum State { STARTING, OK, DEGRADED, UNAUTHORIZED, STOPPED }

    final AtomicLong framesIn = new AtomicLong();
    final AtomicLong framesPublished = new AtomicLong();
    final AtomicLong framesGated = new AtomicLong();
    final AtomicLong framesDropped = new AtomicLong();
    final AtomicLong publishFailures = new AtomicLong();
    final AtomicLong sourceErrors = new AtomicLong();
    final AtomicLong waiting = new AtomicLong();
    private final RateMeter in = new RateMeter();
    private final RateMeter out = new RateMeter();
    private final boolean pulled;

    private volatile boolean connected;
    private volatile boolean refused;
    private volatile boolean stopped;
    private volatile String stoppedReason;
    private volatile long lastFrameAt;
    private volatile long lastPublishedAt;
    private volatile long sourceErrorAt;
    private volatile long publishErrorAt;
    private volatile String lastError;
    private volatile long lastErrorAt;

    CameraStats(boolean pulled) {
        this.pulled = pulled;
    }

    void frameIn(long nowMillis) {
        framesIn.incrementAndGet();
        in.mark(nowMillis);
        lastFrameAt = nowMillis;
    }

    void published(long nowMillis) {
        framesPublished.incrementAndGet();
        out.mark(nowMillis);
        lastPublishedAt = nowMillis;
    }

    void gated() {
        framesGated.incrementAndGet();
    }

    void dropped() {
        framesDropped.incrementAndGet();
    }

    void publishFailed(String message, long nowMillis) {
        publishFailures.incrementAndGet();
        publishErrorAt = nowMillis;
        error("publish: " + message, nowMillis);
    }

    void sourceRefused(String message, long nowMillis) {
        sourceFailed(message, nowMillis);
        refused = true;
    }

    void sourceFailed(String message, long nowMillis) {
        refused = false;
        sourceErrors.incrementAndGet();
        sourceErrorAt = nowMillis;
        error(message, nowMillis);
    }

    /** Bad input from a producer (a rejected push): reported, but the camera itself is not failing. */
    void rejected(String message, long nowMillis) {
        sourceErrors.incrementAndGet();
        error(message, nowMillis);
    }

    private void error(String message, long nowMillis) {
        lastError = message;
        lastErrorAt = nowMillis;
    }

    void connected(boolean value) {
        connected = value;
        if (value) {
            refused = false;
        }
    }

    void stopped(String reason) {
        stopped = true;
        stoppedReason = reason;
        connected = false;
    }

    public State state() {
        if (stopped) {
            return State.STOPPED;
        }
        if (pulled && !connected && sourceErrorAt == 0 && lastFrameAt == 0) {
            return State.STARTING;
        }
        if (refused && !connected) {
            return State.UNAUTHORIZED;
        }
        boolean sourceFailing = (pulled && !connected) || sourceErrorAt > lastFrameAt;
        // the newest publish attempt failed: frames are not reaching Kafka
        boolean publishFailing = publishErrorAt > lastPublishedAt;
        return sourceFailing || publishFailing ? State.DEGRADED : State.OK;
    }

    public boolean connected(long nowMillis) {
        if (pulled) {
            return connected;
        }
        // a push source is "connected" while its producer keeps sending
        return lastFrameAt > 0 && nowMillis - lastFrameAt < 60_000;
    }

    public Snapshot snapshot(long nowMillis) {
        return new Snapshot(state(), connected(nowMillis), in.perSecond(nowMillis), out.perSecond(nowMillis),
                framesIn.get(), framesPublished.get(), framesGated.get(), framesDropped.get(), publishFailures.get(),
                sourceErrors.get(), lastFrameAt, lastPublishedAt, lastError, lastErrorAt, stoppedReason);
    }

    /** An immutable view of the counters at one moment. */
    public record Snapshot(State state, boolean connected, double fpsIn, double fpsOut, long framesIn, long framesPublished,
                           long framesGated, long framesDropped, long publishFailures, long sourceErrors, long lastFrameAt,
                           long lastPublishedAt, String lastError, long lastErrorAt, String stoppedReason) {
    }
}
