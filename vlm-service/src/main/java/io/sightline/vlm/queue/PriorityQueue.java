package io.sightline.vlm.queue;

import io.sightline.common.vlm.Priority;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The slots of one model: at most {@code slots} permits out, at most {@code cap(class)} waiters per class,
 * so a flood of one class never gets another class refused. A released permit is handed straight to the
 * next waiter (event-driven, nothing polls): the head of the highest non-empty class, unless some class's
 * head has waited past the aging threshold, in which case the oldest such aged head goes first, so
 * {@code batch} is never overtaken forever by a stream of newer {@code interactive} requests.
 * Moved here from common's {@code PrioritySlots} (two classes) when vlm-service became the one owner.
 */
public final class PriorityQueue {

    /** A granted slot; release it exactly once when the call ends (further releases are ignored). */
    public final class Permit {
        private final AtomicBoolean released = new AtomicBoolean();
        private final long queueWaitNanos;
        private final long grantedAt;
        private final Priority priority;

        private Permit(Priority priority, long queueWaitNanos, long grantedAt) {
            this.priority = priority;
            this.queueWaitNanos = queueWaitNanos;
            this.grantedAt = grantedAt;
        }

        public long queueWaitNanos() {
            return queueWaitNanos;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                long held = clock.getAsLong() - grantedAt;
                listener.served(priority, held);
                PriorityQueue.this.release(held);
            }
        }
    }

    /** Told of every grant, completion and rejection (for the queue metrics). */
    public interface Listener {
        void granted(Priority priority, long queueWaitNanos);

        void served(Priority priority, long serviceNanos);

        void rejected(Priority priority);

        Listener NONE = new Listener() {
            @Override
            public void granted(Priority priority, long queueWaitNanos) {
            }

            @Override
            public void served(Priority priority, long serviceNanos) {
            }

            @Override
            public void rejected(Priority priority) {
            }
        };
    }

    /** The queue is full for this class. */
    public static final class QueueFullException extends RuntimeException {
        private final Duration retryAfter;

        QueueFullException(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /** Live figures, for {@code GET /api/v1/queue}. */
    public record Snapshot(int slots, int inFlight, Map<Priority, Integer> waiting, long completed, long rejected) {
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

    private final String model;
    private final Map<Priority, Integer> caps;
    private final long agingNanos;
    private final LongSupplier clock;
    private final Listener listener;
    private final Map<Priority, ArrayDeque<Waiter>> waiting = new EnumMap<>(Priority.class);
    private int slots;
    private int inFlight;
    private long completed;
    private long rejected;
    /** Moving average of how long a permit is held, for Retry-After estimates. */
    private double averageHoldNanos = Duration.ofSeconds(2).toNanos();

    public PriorityQueue(String model, int slots, Map<Priority, Integer> caps, Duration aging, LongSupplier clock,
                         Listener listener) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be >= 1");
        }
        this.model = model;
        this.slots = slots;
        this.caps = new EnumMap<>(caps);
        this.agingNanos = aging.toNanos();
        this.clock = clock;
        this.listener = listener;
        for (Priority c : Priority.values()) {
            waiting.put(c, new ArrayDeque<>());
            this.caps.putIfAbsent(c, 16);
        }
    }

    /**
     * A permit, now or when one frees up. Fails at once with {@link QueueFullException} when this class's
     * queue is full. Cancelling the returned Uni (a caller's timeout or hang-up) removes the waiter; a permit
     * granted at that moment is returned.
     */
    public Uni<Permit> acquire(Priority priority) {
        return Uni.createFrom().deferred(() -> {
            Waiter waiter = new Waiter(priority, clock.getAsLong());
            return Uni.createFrom().<Permit>emitter(emitter -> offer(waiter, emitter))
                    .onCancellation().invoke(() -> abandon(waiter));
        });
    }

    /** Sets the slot count (from the server's {@code /props} total_slots once it is up); extra slots are handed out at once. */
    public void resize(int newSlots) {
        if (newSlots < 1) {
            return;
        }
        int grow;
        synchronized (this) {
            grow = newSlots - slots;
            slots = newSlots;
        }
        for (int i = 0; i < grow; i++) {
            dispatchFree();
        }
    }

    private void dispatchFree() {
        Waiter next;
        long now = clock.getAsLong();
        synchronized (this) {
            if (inFlight >= slots) {
                return;
            }
            next = next(now);
            if (next == null) {
                return;
            }
            inFlight++;
            next.state = State.GRANTED;
            next.permit = new Permit(next.priority, now - next.enqueuedAt, now);
        }
        listener.granted(next.priority, next.permit.queueWaitNanos());
        next.emitter.complete(next.permit);
    }

    private void offer(Waiter waiter, UniEmitter<? super Permit> emitter) {
        Permit granted = null;
        QueueFullException rejection = null;
        synchronized (this) {
            waiter.emitter = emitter;
            ArrayDeque<Waiter> queue = waiting.get(waiter.priority);
            if (inFlight < slots && totalWaiting() == 0) {
                inFlight++;
                waiter.state = State.GRANTED;
                granted = new Permit(waiter.priority, 0, waiter.enqueuedAt);
                waiter.permit = granted;
            } else if (queue.size() >= caps.get(waiter.priority)) {
                rejected++;
                Duration retryAfter = estimatedWait(totalWaiting() + inFlight);
                rejection = new QueueFullException("model '" + model + "' is busy: " + inFlight + " in flight and "
                        + queue.size() + " " + waiter.priority.id() + " requests waiting (limit " + caps.get(waiter.priority) + ")",
                        retryAfter);
            } else {
                queue.addLast(waiter);
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

    private int totalWaiting() {
        int total = 0;
        for (ArrayDeque<Waiter> q : waiting.values()) {
            total += q.size();
        }
        return total;
    }

    private void abandon(Waiter waiter) {
        Permit toReturn = null;
        synchronized (this) {
            if (waiter.state == State.WAITING) {
                waiting.get(waiter.priority).remove(waiter);
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
            next = inFlight > slots ? null : next(now);
            if (next == null) {
                inFlight--;
            } else {
                // the slot passes straight to the next waiter: inFlight is unchanged
                next.state = State.GRANTED;
                next.permit = new Permit(next.priority, now - next.enqueuedAt, now);
            }
        }
        if (next != null) {
            listener.granted(next.priority, next.permit.queueWaitNanos());
            next.emitter.complete(next.permit);
        }
    }

    /** Must hold the lock. */
    private Waiter next(long now) {
        Waiter oldestAged = null;
        for (ArrayDeque<Waiter> q : waiting.values()) {
            Waiter head = q.peekFirst();
            if (head != null && now - head.enqueuedAt >= agingNanos
                    && (oldestAged == null || head.enqueuedAt - oldestAged.enqueuedAt < 0)) {
                oldestAged = head;
            }
        }
        if (oldestAged != null) {
            return waiting.get(oldestAged.priority).pollFirst();
        }
        for (Priority c : Priority.values()) {
            Waiter head = waiting.get(c).pollFirst();
            if (head != null) {
                return head;
            }
        }
        return null;
    }

    private Duration estimatedWait(int ahead) {
        double rounds = Math.ceil((double) (ahead + 1) / slots);
        long millis = (long) (rounds * averageHoldNanos / 1_000_000);
        return Duration.ofSeconds(Math.max(1, (millis + 999) / 1000));
    }

    public synchronized int inFlight() {
        return inFlight;
    }

    public synchronized int waiting(Priority priority) {
        return waiting.get(priority).size();
    }

    public synchronized int totalQueued() {
        return totalWaiting();
    }

    public synchronized Snapshot snapshot() {
        Map<Priority, Integer> depth = new EnumMap<>(Priority.class);
        waiting.forEach((c, q) -> depth.put(c, q.size()));
        return new Snapshot(slots, inFlight, depth, completed, rejected);
    }
}
