package io.sightline.capture.source;

import java.time.Duration;

/** Exponential reconnect delay: initial, doubling up to max; reset after the source delivered again. */
final class Backoff {

    private final long initialMillis;
    private final long maxMillis;
    private long nextMillis;

    Backoff(Duration initial, Duration max) {
        this.initialMillis = Math.max(1, initial.toMillis());
        this.maxMillis = Math.max(initialMillis, max.toMillis());
        this.nextMillis = initialMillis;
    }

    /** The delay to wait now; the following one will be twice as long (capped). */
    long next() {
        long current = nextMillis;
        nextMillis = Math.min(maxMillis, nextMillis * 2);
        return current;
    }

    void reset() {
        nextMillis = initialMillis;
    }
}
