package io.sightline.common.vlm;

import io.smallrye.mutiny.subscription.Cancellable;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The dispatch rules on a hand-driven clock: every grant must happen inside a release, never by polling. */
class PrioritySlotsTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<String> grants = new ArrayList<>();
    private final List<Priority> rejections = new ArrayList<>();

    private PrioritySlots slots(int maxConcurrent, int maxQueued, Duration aging) {
        return new PrioritySlots("test", maxConcurrent, maxQueued, aging, clock::get, new PrioritySlots.Listener() {
            @Override
            public void granted(Priority priority, long queueWaitNanos) {
                grants.add(priority + "@" + queueWaitNanos / 1_000_000);
            }

            @Override
            public void rejected(Priority priority) {
                rejections.add(priority);
            }
        });
    }

    private static CompletableFuture<PrioritySlots.Permit> acquire(PrioritySlots slots, Priority priority) {
        return slots.acquire(priority).subscribeAsCompletionStage();
    }

    private void advance(long millis) {
        clock.addAndGet(millis * 1_000_000);
    }

    @Test
    void grantsUpToTheSlotCountAtOnceAndQueuesTheRest() {
        PrioritySlots slots = slots(2, 10, Duration.ofSeconds(10));

        var a = acquire(slots, Priority.LOW);
        var b = acquire(slots, Priority.LOW);
        var c = acquire(slots, Priority.LOW);

        assertThat(a).isCompleted();
        assertThat(b).isCompleted();
        assertThat(c).isNotDone();
        assertThat(slots.stats()).isEqualTo(new VlmClient.QueueStats(2, 0, 1, 0, 0));
    }

    @Test
    void aReleaseHandsTheSlotToTheWaitingHighBeforeOlderWaitingLows() {
        PrioritySlots slots = slots(1, 10, Duration.ofSeconds(10));
        var running = acquire(slots, Priority.LOW);
        var low1 = acquire(slots, Priority.LOW);
        var low2 = acquire(slots, Priority.LOW);
        advance(100);
        var high = acquire(slots, Priority.HIGH);
        advance(200);

        running.join().release();

        assertThat(high).as("dispatched inside release(), no polling").isCompleted();
        assertThat(high.join().queueWaitNanos()).isEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(low1).isNotDone();
        high.join().release();
        assertThat(low1).isCompleted();
        assertThat(low2).isNotDone();
        low1.join().release();
        assertThat(low2).isCompleted();
        low2.join().release();
        assertThat(slots.stats()).isEqualTo(new VlmClient.QueueStats(0, 0, 0, 4, 0));
    }

    @Test
    void withoutAgingAWaitingLowIsOvertakenByEveryNewHigh() {
        PrioritySlots slots = slots(1, 10, Duration.ofHours(1));
        var current = acquire(slots, Priority.HIGH);
        var low = acquire(slots, Priority.LOW);
        for (int i = 0; i < 20; i++) {
            var nextHigh = acquire(slots, Priority.HIGH);
            advance(1_000);
            current.join().release();
            assertThat(low).isNotDone();
            current = nextHigh;
        }
        current.join().release();
        assertThat(low).isCompleted();
    }

    @Test
    void aLowThatWaitedPastTheAgingThresholdGoesBeforeNewerHighs() {
        PrioritySlots slots = slots(1, 10, Duration.ofSeconds(2));
        var current = acquire(slots, Priority.HIGH);
        var low = acquire(slots, Priority.LOW);
        int highsBeforeLow = 0;
        while (!low.isDone()) {
            var nextHigh = acquire(slots, Priority.HIGH);
            advance(500);
            current.join().release();
            if (!low.isDone()) {
                highsBeforeLow++;
                current = nextHigh;
            } else {
                nextHigh.cancel(true);
            }
            assertThat(highsBeforeLow).isLessThan(10);
        }

        assertThat(highsBeforeLow).as("newer HIGHs served while the LOW was younger than 2 s").isEqualTo(3);
        assertThat(low.join().queueWaitNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());
    }

    @Test
    void aFullQueueFailsAtOnceWithOverloadedAndARetryAfterEstimate() {
        PrioritySlots slots = slots(1, 2, Duration.ofSeconds(10));
        acquire(slots, Priority.LOW);
        acquire(slots, Priority.LOW);
        acquire(slots, Priority.HIGH);

        var refused = acquire(slots, Priority.HIGH);

        assertThat(refused).isCompletedExceptionally();
        VlmException e = (VlmException) refused.handle((p, t) -> t.getCause() != null && !(t instanceof VlmException) ? t.getCause() : t).join();
        assertThat(e.kind()).isEqualTo(VlmException.Kind.OVERLOADED);
        assertThat(e.retryAfter()).isPresent();
        assertThat(e.retryAfter().get()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(rejections).containsExactly(Priority.HIGH);
        assertThat(slots.stats().rejected()).isEqualTo(1);
    }

    @Test
    void aCancelledWaiterLeavesTheQueueAndAReleasedSlotSkipsIt() {
        PrioritySlots slots = slots(1, 4, Duration.ofSeconds(10));
        var running = acquire(slots, Priority.LOW);
        Cancellable abandoned = slots.acquire(Priority.HIGH).subscribe().with(p -> {
            throw new AssertionError("a cancelled waiter must not get a slot");
        });
        var low = acquire(slots, Priority.LOW);
        assertThat(slots.stats().waitingHigh()).isEqualTo(1);

        abandoned.cancel();

        assertThat(slots.stats().waitingHigh()).isZero();
        running.join().release();
        assertThat(low).isCompleted();
        low.join().release();
        low.join().release();
        assertThat(slots.stats().inFlight()).as("releasing twice frees one slot").isZero();
    }

    @Test
    void thousandsOfWaitersThatReleaseAtOnceDrainWithoutGrowingTheStack() {
        PrioritySlots slots = slots(1, 20_000, Duration.ofSeconds(10));
        var first = acquire(slots, Priority.LOW);
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            // like a call that fails synchronously (open breaker): the slot is released inside the hand-over
            slots.acquire(i % 2 == 0 ? Priority.HIGH : Priority.LOW).subscribe().with(permit -> {
                served.incrementAndGet();
                permit.release();
            });
        }

        first.join().release();

        assertThat(served.get()).isEqualTo(10_000);
        assertThat(slots.stats()).isEqualTo(new VlmClient.QueueStats(0, 0, 0, 10_001, 0));
    }
}
