package io.sightline.watch;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The VLM calls all watch jobs of this replica may make together: {@code budget.global-calls-per-hour} over a
 * sliding hour. A job that finds it used up waits until the oldest call of the window leaves it, and says so;
 * nothing stops silently. Per replica: N replicas may make N times as many calls.
 */
@ApplicationScoped
class WatchBudget {

    private static final long HOUR_MS = 3_600_000L;

    private final int perHour;
    private final Clock clock;
    private final Deque<Long> calls = new ArrayDeque<>();

    @Inject
    WatchBudget(WatchConfig config) {
        this(config.budget().globalCallsPerHour(), Clock.systemUTC());
    }

    WatchBudget(int perHour, Clock clock) {
        this.perHour = perHour;
        this.clock = clock;
    }

    int perHour() {
        return perHour;
    }

    /** Takes one call from the budget; 0 when taken, else the milliseconds until there is room again. */
    synchronized long tryTake() {
        if (perHour <= 0) {
            return 0;
        }
        long now = clock.millis();
        while (!calls.isEmpty() && calls.peekFirst() <= now - HOUR_MS) {
            calls.removeFirst();
        }
        if (calls.size() < perHour) {
            calls.addLast(now);
            return 0;
        }
        return Math.max(1, calls.peekFirst() + HOUR_MS - now);
    }

    /** Calls made in the last hour. */
    synchronized int used() {
        long now = clock.millis();
        while (!calls.isEmpty() && calls.peekFirst() <= now - HOUR_MS) {
            calls.removeFirst();
        }
        return calls.size();
    }
}
