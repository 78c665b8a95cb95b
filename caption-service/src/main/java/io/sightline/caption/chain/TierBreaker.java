package io.sightline.caption.chain;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Circuit breaker of one tier. Closed: frames go to the tier; {@code failureThreshold} consecutive tier
 * faults open it. Open: frames skip the tier until {@code coolDown} has passed, then exactly one trial
 * frame is let through (half-open); its success closes the breaker, its failure opens it again.
 */
public final class TierBreaker {

    public enum State {
        CLOSED, OPEN, HALF_OPEN;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final int failureThreshold;
    private final long coolDownNanos;
    private final LongSupplier clock;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openedAt;
    private boolean trialInFlight;
    private long opened;

    public TierBreaker(int failureThreshold, Duration coolDown, LongSupplier nanoClock) {
        if (failureThreshold < 1) {
            throw new IllegalArgumentException("failure threshold must be >= 1");
        }
        this.failureThreshold = failureThreshold;
        this.coolDownNanos = coolDown.toNanos();
        this.clock = nanoClock;
    }

    public TierBreaker(int failureThreshold, Duration coolDown) {
        this(failureThreshold, coolDown, System::nanoTime);
    }

    /** Whether a frame may be sent now; in half-open state only the first caller gets true until it reports. */
    public synchronized boolean tryAcquire() {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (clock.getAsLong() - openedAt >= coolDownNanos) {
                    state = State.HALF_OPEN;
                    trialInFlight = true;
                    return true;
                }
                return false;
            case HALF_OPEN:
            default:
                if (!trialInFlight) {
                    trialInFlight = true;
                    return true;
                }
                return false;
        }
    }

    public synchronized void onSuccess() {
        consecutiveFailures = 0;
        trialInFlight = false;
        state = State.CLOSED;
    }

    /** A tier fault. */
    public synchronized void onFailure() {
        trialInFlight = false;
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= failureThreshold) {
            if (state != State.OPEN) {
                opened++;
            }
            state = State.OPEN;
            openedAt = clock.getAsLong();
        }
    }

    /** The call was let through but ended without verdict (frame rejected, not the tier's fault). */
    public synchronized void onNeutral() {
        trialInFlight = false;
    }

    /** Current state; an open breaker whose cool-down has passed reports half-open (next frame is the trial). */
    public synchronized State state() {
        if (state == State.OPEN && clock.getAsLong() - openedAt >= coolDownNanos) {
            return State.HALF_OPEN;
        }
        return state;
    }

    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** How many times the breaker has opened since start. */
    public synchronized long timesOpened() {
        return opened;
    }
}
