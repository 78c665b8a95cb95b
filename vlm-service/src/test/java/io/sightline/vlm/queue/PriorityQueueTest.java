package io.sightline.vlm.queue;

import io.sightline.common.vlm.Priority;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The dispatch rules on a hand-driven clock: every grant happens inside a release (or resize), never by polling. */
class PriorityQueueTest {

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<String> grants = new ArrayList<>();
    private final List<Priority> rejections = new ArrayList<>();

    private PriorityQueue queue(int slots, int cap, Duration aging) {
        Map<Priority, Integer> caps = new EnumMap<>(Priority.class);
        for (Priority p : Priority.values()) {
            caps.put(p, cap);
        }
        return new PriorityQueue("test", slots, caps, aging, clock::get, new PriorityQueue.Listener() {
            @Override
            public void granted(Priority priority, long queueWaitNanos) {
                grants.add(priority.id() + "@" + queueWaitNanos / 1_000_000);
            }

            @Override
            public void served(Priority priority, long serviceNanos) {
            }

            @Override
            public void rejected(Priority priority) {
                rejections.add(priority);
            }
        });
    }

    private static CompletableFuture<PriorityQueue.Permit> acquire(PriorityQueue queue, Priority priority) {
        return queue.acquire(priority).subscribeAsCompletionStage();
    }

    private void advance(long millis) {
        clock.addAndGet(millis * 1_000_000);
    }

    @Test
    void grantsUpToTheSlotCountAtOnceAndQueuesTheRest() {
        PriorityQueue queue = queue(2, 10, Duration.ofSeconds(10));
        var a = acquire(queue, Priority.BATCH);
        var b = acquire(queue, Priority.BATCH);
        var c = acquire(queue, Priority.BATCH);

        assertThat(a).isCompleted();
        assertThat(b).isCompleted();
        assertThat(c).isNotDone();
        assertThat(queue.snapshot().inFlight()).isEqualTo(2);
        assertThat(queue.waiting(Priority.BATCH)).isEqualTo(1);
    }

    @Test
    void aReleaseHandsTheSlotToInteractiveThenWatchThenBatch() {
        PriorityQueue queue = queue(1, 10, Duration.ofSeconds(10));
        var running = acquire(queue, Priority.BATCH);
        var batch = acquire(queue, Priority.BATCH);
        advance(5);
        var watch = acquire(queue, Priority.WATCH);
        advance(5);
        var interactive = acquire(queue, Priority.INTERACTIVE);

        running.join().release();
        assertThat(interactive).isCompleted();
        assertThat(watch).isNotDone();
        interactive.join().release();
        assertThat(watch).isCompleted();
        assertThat(batch).isNotDone();
        watch.join().release();
        assertThat(batch).isCompleted();
        assertThat(grants).containsExactly("batch@0", "interactive@0", "watch@5", "batch@10");
    }

    @Test
    void anAgedBatchRequestGoesBeforeNewerInteractiveOnes() {
        PriorityQueue queue = queue(1, 10, Duration.ofMillis(500));
        var running = acquire(queue, Priority.INTERACTIVE);
        var batch = acquire(queue, Priority.BATCH);
        advance(600);
        var interactive = acquire(queue, Priority.INTERACTIVE);

        running.join().release();
        assertThat(batch).as("waited past the aging threshold and arrived first").isCompleted();
        assertThat(interactive).isNotDone();
    }

    @Test
    void aFullBatchQueueNeverRefusesInteractive() {
        PriorityQueue queue = queue(1, 3, Duration.ofSeconds(10));
        acquire(queue, Priority.BATCH);
        List<CompletableFuture<PriorityQueue.Permit>> flood = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            flood.add(acquire(queue, Priority.BATCH));
        }
        var interactive = acquire(queue, Priority.INTERACTIVE);

        assertThat(flood.stream().filter(CompletableFuture::isCompletedExceptionally).count()).isEqualTo(3);
        assertThat(rejections).containsOnly(Priority.BATCH);
        assertThat(interactive).isNotDone();
        assertThat(interactive.isCompletedExceptionally()).isFalse();
        assertThat(queue.waiting(Priority.INTERACTIVE)).isEqualTo(1);
    }

    @Test
    void aCancelledWaiterLeavesTheQueueAndAGrowingSlotCountGrantsWaitersAtOnce() {
        PriorityQueue queue = queue(1, 10, Duration.ofSeconds(10));
        acquire(queue, Priority.BATCH);
        var cancelled = queue.acquire(Priority.BATCH).subscribe().with(p -> { });
        var second = acquire(queue, Priority.BATCH);
        var third = acquire(queue, Priority.BATCH);
        cancelled.cancel();
        assertThat(queue.waiting(Priority.BATCH)).isEqualTo(2);

        queue.resize(3);
        assertThat(second).isCompleted();
        assertThat(third).isCompleted();
        assertThat(queue.snapshot().inFlight()).isEqualTo(3);
    }
}
