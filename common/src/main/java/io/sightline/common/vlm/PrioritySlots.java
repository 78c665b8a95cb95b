package io.sightline.common.vlm;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The server's slots for one endpoint: at most {@code maxConcurrent} permits out, at most {@code maxQueued}
 * waiters. A released permit is handed straight to the next waiter (event-driven, nothing polls): the
 * oldest HIGH waiter, unless the oldest LOW waiter has aged past the threshold and arrived before it,
 * so a LOW request is never overtaken forever by a stream of newer HIGH ones.
 */
final class PrioritySlots {

    /** A granted slot; release it exactly once when the call ends (further releases are ignored). */
    final class Permit {
        private final AtomicBoolean released = new AtomicBoolean();
        private final long queueWaitNanos;
        private final long grantedAt;

        private Permit(long queueWaitNanos, long grantedAt) {
            this.queueWaitNanos = queueWaitNanos;
            this.grantedAt = grantedAt;
        }

        long queueWaitNanos() {
            return queueWaitNanos;
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                PrioritySlots.this.release(clock.getAsLong() - grantedAt);
            }
        }
    }

    /** Told of every grant and every rejection (for the queue metrics). */
    interface Listener {
        void granted(Priority priority, long queueWaitNanos);

        void rejected(Priority priority);
    }

    private enum State { WAITING, GRANTED, ABANDONED }

    private final class Waiter {
        final Priority priority;
        final long enqueuedAt;
        UniEmitter<? super Permit> emitter;
        State state = State.WAITING;
        Permit permit;

        Waiter(Priority priority, long enqueuedAt) {
            this.priority = priority;
            this.enqueuedAt = enqueuedAt;
        }
    }

    private final String endpoint;
    private final int maxConcurrent;
    private final int maxQueued;
    private final long agingNanos;
    private final LongSupplier clock;
    private final Listener listener;
    private final ArrayDeque<Waiter> high = new ArrayDeque<>();
    private final ArrayDeque<Waiter> low = new ArrayDeque<>();
    private int inFlight;
    private long completed;
    private long rejected;
    /** Moving average of how long a permit is held, for Retry-After estimates. */
    private double averageHoldNanos = Duration.ofSeconds(2).toNanos();

    PrioritySlots(String endpoint, int maxConcurrent, int maxQueued, Duration lowAgingThreshold, LongSupplier clock,
                  Listener listener) {
        this.endpoint = endpoint;
        this.maxConcurrent = maxConcurrent;
        this.maxQueued = maxQueued;
        this.agingNanos = lowAgingThreshold.toNanos();
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * A permit, now or when one frees up. Fails at once with OVERLOADED when the queue is full. Cancelling
     * the returned Uni (a caller's timeout) removes the waiter; a permit granted at that moment is returned.
     */
    Uni<Permit> acquire(Priority priority) {
        return Uni.createFrom().deferred(() -> {
            Waiter waiter = new Waiter(priority, clock.getAsLong());
            return Uni.createFrom().<Permit>emitter(emitter -> offer(waiter, emitter))
                    .onCancellation().invoke(() -> abandon(waiter));
        });
    }

    private void offer(Waiter waiter, UniEmitter<? super Permit> emitter) {
        Permit granted = null;
        VlmException rejection = null;
        synchronized (this) {
            waiter.emitter = emitter;
            if (inFlight < maxConcurrent && high.isEmpty() && low.isEmpty()) {
                inFlight++;
                waiter.state = State.GRANTED;
                granted = new Permit(0, waiter.enqueuedAt);
                waiter.permit = granted;
            } else if (high.size() + low.size() >= maxQueued) {
                rejected++;
                Duration retryAfter = estimatedWait(high.size() + low.size() + inFlight);
                rejection = new VlmException(VlmException.Kind.OVERLOADED,
                        "VLM endpoint '" + endpoint + "' is busy: " + inFlight + " in flight and " + (high.size() + low.size())
                                + " waiting (limit " + maxQueued + ")", 0, retryAfter, null);
            } else {
                (waiter.priority == Priority.HIGH ? high : low).addLast(waiter);
            }
        }
        if (granted != null) {
            listener.granted(waiter.priority, 0);
            emitter.complete(granted);
        } else if (rejection != null) {
            listener.rejected(waiter.priority);
            emitter.fail(rejection);
        }
    }

    private void abandon(Waiter waiter) {
        Permit toReturn = null;
        synchronized (this) {
            if (waiter.state == State.WAITING) {
                (waiter.priority == Priority.HIGH ? high : low).remove(waiter);
                waiter.state = State.ABANDONED;
            } else if (waiter.state == State.GRANTED) {
                toReturn = waiter.permit;
            }
        }
        if (toReturn != null) {
            toReturn.release();
        }
    }

    /**
     * Releases made while this thread is handing a slot to a waiter (the waiter's call failed at once and
     * released it) run after that hand-over returns, not inside it: a long queue of such waiters must not
     * grow the stack by one hand-over each.
     */
    private static final ThreadLocal<ArrayDeque<Runnable>> DEFERRED_RELEASES = new ThreadLocal<>();

    private void release(long heldNanos) {
        ArrayDeque<Runnable> deferred = DEFERRED_RELEASES.get();
        if (deferred != null) {
            deferred.add(() -> handOver(heldNanos));
            return;
        }
        deferred = new ArrayDeque<>();
        DEFERRED_RELEASES.set(deferred);
        try {
            handOver(heldNanos);
            for (Runnable next = deferred.poll(); next != null; next = deferred.poll()) {
                next.run();
            }
        } finally {
            DEFERRED_RELEASES.remove();
        }
    }

    private void handOver(long heldNanos) {
        Waiter next;
        long now = clock.getAsLong();
        synchronized (this) {
            completed++;
            averageHoldNanos = averageHoldNanos * 0.8 + heldNanos * 0.2;
            next = next(now);
            if (next == null) {
                inFlight--;
            } else {
                // the slot passes straight to the next waiter: inFlight is unchanged
                next.state = State.GRANTED;
                next.permit = new Permit(now - next.enqueuedAt, now);
            }
        }
        if (next != null) {
            listener.granted(next.priority, next.permit.queueWaitNanos());
            next.emitter.complete(next.permit);
        }
    }

    /** Must hold the lock. */
    private Waiter next(long now) {
        Waiter oldestHigh = high.peekFirst();
        Waiter oldestLow = low.peekFirst();
        if (oldestLow != null && (oldestHigh == null
                || (now - oldestLow.enqueuedAt >= agingNanos && oldestLow.enqueuedAt - oldestHigh.enqueuedAt < 0))) {
            return low.pollFirst();
        }
        return high.pollFirst();
    }

    private Duration estimatedWait(int ahead) {
        double rounds = Math.ceil((double) (ahead + 1) / maxConcurrent);
        long millis = (long) (rounds * averageHoldNanos / 1_000_000);
        return Duration.ofSeconds(Math.max(1, (millis + 999) / 1000));
    }

    synchronized int inFlight() {
        return inFlight;
    }

    synchronized int waiting(Priority priority) {
        return priority == Priority.HIGH ? high.size() : low.size();
    }

    synchronized VlmClient.QueueStats stats() {
        return new VlmClient.QueueStats(inFlight, high.size(), low.size(), completed, rejected);
    }
}
