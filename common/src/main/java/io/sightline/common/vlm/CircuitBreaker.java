package io.sightline.common.vlm;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Count-based circuit breaker of one endpoint: opens when, among the last {@code window} calls (at least
 * {@code minRequests}), the failure share reaches {@code failureRatio}; an open breaker fails calls fast
 * for {@code delay}, then lets a single trial call through (half-open) that closes or reopens it.
 */
final class CircuitBreaker {

    enum State { CLOSED, OPEN, HALF_OPEN }

    private final boolean[] outcomes;
    private final int minRequests;
    private final double failureRatio;
    private final long delayNanos;
    private final LongSupplier clock;
    private State state = State.CLOSED;
    private int recorded;
    private int next;
    private int failures;
    private long openedAt;
    private boolean trialInFlight;

    CircuitBreaker(int window, int minRequests, double failureRatio, Duration delay, LongSupplier clock) {
        this.outcomes = new boolean[window];
        this.minRequests = minRequests;
        this.failureRatio = failureRatio;
        this.delayNanos = delay.toNanos();
        this.clock = clock;
    }

    /** Without taking a trial: would a call be let through now (used to fail fast before queueing)? */
    synchronized boolean admitsCalls() {
        return switch (state) {
            case CLOSED -> true;
            case OPEN -> clock.getAsLong() - openedAt >= delayNanos;
            case HALF_OPEN -> !trialInFlight;
        };
    }

    /** Just before a call goes out: true to proceed (takes the half-open trial when due). */
    synchronized boolean tryAcquire() {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (clock.getAsLong() - openedAt < delayNanos) {
                    return false;
                }
                state = State.HALF_OPEN;
                trialInFlight = true;
                return true;
            default:
                if (trialInFlight) {
                    return false;
                }
                trialInFlight = true;
                return true;
        }
    }

    synchronized void onSuccess() {
        if (state == State.HALF_OPEN) {
            reset();
            return;
        }
        record(false);
    }

    synchronized void onFailure() {
        if (state == State.HALF_OPEN) {
            open();
            return;
        }
        if (state == State.CLOSED) {
            record(true);
            if (recorded >= minRequests && failures >= failureRatio * recorded) {
                open();
            }
        }
    }

    /** The call ended without saying anything about the server's health (rejected request, cancelled by the caller). */
    synchronized void onNeutral() {
        if (state == State.HALF_OPEN) {
            trialInFlight = false;
        }
    }

    synchronized State state() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= delayNanos) {
            return State.HALF_OPEN;
        }
        return state;
    }

    /** How long an open breaker keeps failing fast. */
    synchronized Duration remainingOpen() {
        if (state != State.OPEN) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, delayNanos - (clock.getAsLong() - openedAt)));
    }

    private void record(boolean failed) {
        if (recorded == outcomes.length) {
            if (outcomes[next]) {
                failures--;
            }
        } else {
            recorded++;
        }
        outcomes[next] = failed;
        if (failed) {
            failures++;
        }
        next = (next + 1) % outcomes.length;
    }

    private void open() {
        state = State.OPEN;
        openedAt = clock.getAsLong();
        trialInFlight = false;
    }

    private void reset() {
        state = State.CLOSED;
        trialInFlight = false;
        recorded = 0;
        next = 0;
        failures = 0;
    }
}
